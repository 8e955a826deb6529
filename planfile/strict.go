package planfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
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
	if err := walkStrict(dec, reflect.TypeOf(v).Elem(), ""); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("there is data after the plan's JSON object")
	}
	return nil
}

var timeType = reflect.TypeFor[time.Time]()

func walkStrict(dec *json.Decoder, t reflect.Type, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %v", where(path), err)
	}
	if tok == nil {
		// A nil list or map is harmless; a null change or field is not.
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			return nil
		}
		return fmt.Errorf("%s is null", where(path))
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	wrong := func(want string) error { return fmt.Errorf("%s is not %s", where(path), want) }
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
			if err := walkStrict(dec, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	case t.Kind() == reflect.Map, t.Kind() == reflect.Struct:
		if tok != json.Delim('{') {
			return wrong("an object")
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return fmt.Errorf("%s: %v", where(path), err)
			}
			key := kt.(string) // object keys are strings
			sub := path + "." + key
			if path == "" {
				sub = key
			}
			if seen[key] {
				return fmt.Errorf("%s is given twice", where(sub))
			}
			seen[key] = true
			elem := t.Elem
			if t.Kind() == reflect.Struct {
				f, ok := fieldByJSONName(t, key)
				if !ok {
					return fmt.Errorf("%s: unknown field %q", where(path), key)
				}
				elem = func() reflect.Type { return f.Type }
			} else {
				sub = fmt.Sprintf("%s[%q]", path, key)
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
		return fmt.Errorf("%s: %v", where(path), err)
	}
	return nil
}

// fieldByJSONName finds the field whose json name is exactly name.
func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func where(path string) string {
	if path == "" {
		return "the plan file"
	}
	return path
}
