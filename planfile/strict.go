package planfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"time"
)

// checkStrict walks the JSON in b against the Go type v points to and
// refuses what encoding/json would quietly accept: a key that is not
// exactly one of a struct's json names (encoding/json matches them
// without regard to case, and ignores unknown ones), a key given twice in
// one object (it keeps the last, where a reader of the file may see the
// first), null for a struct or a scalar, a value of the wrong kind, and
// anything after the object. Errors name the JSON path.
func checkStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := walkStrict(dec, reflect.TypeOf(v).Elem(), nil); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("there is data after the plan's JSON object")
	}
	return nil
}

var timeType = reflect.TypeFor[time.Time]()

// jsonPath is where the walk is, built into a string only for an error:
// a plan of 100,000 calls has a million places.
type jsonPath struct {
	parent *jsonPath
	key    string // a struct field; or a map key when mapKey
	index  int    // a list element, when key is "" and !mapKey
	mapKey bool
}

func (p *jsonPath) String() string {
	if p == nil {
		return "the plan file"
	}
	var parts []string
	for ; p != nil; p = p.parent {
		switch {
		case p.mapKey:
			parts = append(parts, fmt.Sprintf("[%q]", p.key))
		case p.key != "":
			parts = append(parts, "."+p.key)
		default:
			parts = append(parts, fmt.Sprintf("[%d]", p.index))
		}
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
	}
	return strings.TrimPrefix(b.String(), ".")
}

func walkStrict(dec *json.Decoder, t reflect.Type, path *jsonPath) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if tok == nil {
		// A nil list or map is harmless; a null change or field is not.
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			return nil
		}
		return fmt.Errorf("%s is null", path)
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	wrong := func(want string) error { return fmt.Errorf("%s is not %s", path, want) }
	switch {
	case t == timeType:
		if _, ok := tok.(string); !ok {
			return wrong("a time")
		}
	case t.Kind() == reflect.String:
		if _, ok := tok.(string); !ok {
			return wrong("a string")
		}
	case t.Kind() == reflect.Int:
		n, ok := tok.(json.Number)
		if !ok {
			return wrong("a number")
		}
		if _, err := n.Int64(); err != nil {
			return wrong("a whole number")
		}
	case t.Kind() == reflect.Slice:
		if tok != json.Delim('[') {
			return wrong("a list")
		}
		for i := 0; dec.More(); i++ {
			if err := walkStrict(dec, t.Elem(), &jsonPath{parent: path, index: i}); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	case t.Kind() == reflect.Map, t.Kind() == reflect.Struct:
		if tok != json.Delim('{') {
			return wrong("an object")
		}
		var fields map[string]reflect.Type
		if t.Kind() == reflect.Struct {
			fields = jsonFields(t)
		}
		seen := make(map[string]bool, len(fields))
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return fmt.Errorf("%s: %v", path, err)
			}
			key := kt.(string) // object keys are strings
			sub := &jsonPath{parent: path, key: key, mapKey: fields == nil}
			if seen[key] {
				return fmt.Errorf("%s is given twice", sub)
			}
			seen[key] = true
			elem := t.Elem
			if fields != nil {
				ft, ok := fields[key]
				if !ok {
					return fmt.Errorf("%s: unknown field %q", path, key)
				}
				elem = func() reflect.Type { return ft }
			}
			if err := walkStrict(dec, elem(), sub); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	default:
		return fmt.Errorf("planfile: no strict rule for %v", t) // a wire struct gained a new kind of field
	}
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

// fieldCache holds jsonFields' answers by type.
var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields maps each field's exact json name to its type.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			m[name] = f.Type
		}
	}
	fieldCache.Store(t, m)
	return m
}
