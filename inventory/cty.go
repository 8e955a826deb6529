package inventory

import (
	"encoding/json"
	"maps"
	"runtime"
	"slices"
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// Value turns records into the value of a data source's records
// attribute.
//
// Every record becomes an object with the union of all records' keys, so
// that c.field on a record without the field reads null instead of
// failing the whole for expression. A field whose present values all have
// one type gets nulls of that type, and when every record then has the
// same object type (the usual case) the result is a list of objects,
// which converts and compares cheaply. Otherwise (a field that is a
// number in one record and a string in another) the result is a tuple of
// objects, which HCL's for expressions, length, lookup and try treat just
// as they treat a list. An empty inventory is an empty list.
//
// Value consumes recs: it sets each element to nil once converted, so
// that a large inventory is not held twice over.
func Value(recs []Record) cty.Value {
	objs := make([]map[string]cty.Value, len(recs))
	parallel(chunks(len(recs)), func(_ int, lo, hi int) {
		for i := lo; i < hi; i++ {
			objs[i] = convertRecord(recs[i])
			recs[i] = nil
		}
	})
	return objectsValue(objs)
}

// ValueJSONLines decodes JSON lines straight into the value Value would
// give for Parse's records, without building the records first, and
// returns how many records there were. Errors are Parse's.
func ValueJSONLines(data []byte, source string, lim Limits) (cty.Value, int, error) {
	return valueJSONLines(data, source, lim, false)
}

// ValueJSONLinesInPlace is ValueJSONLines for a caller that owns data
// and keeps it unchanged for as long as the value lives (a data source
// keeps it anyway, as its snapshot): the records' plain strings point
// into data rather than copying it, which at 100,000 records saves about
// 10 MB and 300,000 allocations.
func ValueJSONLinesInPlace(data []byte, source string, lim Limits) (cty.Value, int, error) {
	return valueJSONLines(data, source, lim, true)
}

func valueJSONLines(data []byte, source string, lim Limits, inPlace bool) (cty.Value, int, error) {
	if int64(len(data)) > lim.MaxBytes {
		return cty.NilVal, 0, tooBig(source, lim)
	}
	objs, err := parseLines(data, source, lim, func() func([]byte) (map[string]cty.Value, error) {
		in := newInterner(inPlace)
		return func(l []byte) (map[string]cty.Value, error) {
			if obj, ok := fastObject(l, in); ok {
				return obj, nil
			}
			rec, err := decodeObject(l)
			if err != nil {
				return nil, err
			}
			return convertRecord(rec), nil
		}
	})
	if err != nil {
		return cty.NilVal, 0, err
	}
	return objectsValue(objs), len(objs), nil
}

// objectsValue builds the records value from converted records, filling
// in each missing field. It consumes objs.
func objectsValue(objs []map[string]cty.Value) cty.Value {
	if len(objs) == 0 {
		return cty.ListValEmpty(cty.EmptyObject)
	}
	// Note the fields' types in chunks, one per CPU; then merge the types
	// and build the objects, again in chunks.
	parts := chunks(len(objs))
	partTypes := make([]map[string]cty.Type, len(parts))
	partMixed := make([]map[string]bool, len(parts))
	parallel(parts, func(p int, lo, hi int) {
		partTypes[p], partMixed[p] = fieldTypesOf(objs[lo:hi])
	})
	fieldTypes, mixed := map[string]cty.Type{}, map[string]bool{}
	for p := range parts {
		maps.Copy(mixed, partMixed[p])
		for k, t := range partTypes[p] {
			switch have, ok := fieldTypes[k]; {
			case !ok || have == cty.DynamicPseudoType:
				fieldTypes[k] = t
			case t != cty.DynamicPseudoType && !have.Equals(t):
				mixed[k] = true
			}
		}
	}
	names := slices.Sorted(maps.Keys(fieldTypes))
	homogeneous := len(mixed) == 0
	for k, t := range fieldTypes {
		if mixed[k] {
			fieldTypes[k] = cty.DynamicPseudoType
		}
		if t == cty.DynamicPseudoType {
			homogeneous = false // a field only ever null stays untyped
		}
	}
	nulls := make(map[string]cty.Value, len(fieldTypes))
	for k, t := range fieldTypes {
		nulls[k] = cty.NullVal(t)
	}
	vals := make([]cty.Value, len(objs))
	parallel(parts, func(_ int, lo, hi int) {
		var shared typeSharer
		if homogeneous {
			shared.types, shared.uniform = []cty.Type{cty.Object(fieldTypes)}, true
		}
		for b := lo; b < hi; b += shareBatch {
			end := min(b+shareBatch, hi)
			for i := b; i < end; i++ {
				obj := objs[i]
				for _, k := range names {
					if v, ok := obj[k]; !ok || v.IsNull() {
						obj[k] = nulls[k]
					}
				}
				vals[i] = cty.ObjectVal(obj)
				objs[i] = nil
			}
			shared.share(vals[b:end])
		}
	})
	if homogeneous {
		return cty.ListVal(vals)
	}
	return cty.TupleVal(vals)
}

// convertRecord converts one decoded record's fields.
func convertRecord(rec Record) map[string]cty.Value {
	obj := make(map[string]cty.Value, len(rec)+2)
	for k, v := range rec {
		obj[k] = jsonValue(v)
	}
	return obj
}

// fieldTypesOf returns each field's type (DynamicPseudoType while only
// null) and the fields seen with two types.
func fieldTypesOf(objs []map[string]cty.Value) (map[string]cty.Type, map[string]bool) {
	fieldTypes := map[string]cty.Type{}
	mixed := map[string]bool{}
	for _, obj := range objs {
		for k, cv := range obj {
			if cv.IsNull() {
				if _, ok := fieldTypes[k]; !ok {
					fieldTypes[k] = cty.DynamicPseudoType
				}
				continue
			}
			switch t, ok := fieldTypes[k]; {
			case !ok || t == cty.DynamicPseudoType:
				fieldTypes[k] = cv.Type()
			case !t.Equals(cv.Type()):
				mixed[k] = true
			}
		}
	}
	return fieldTypes, mixed
}

// chunks splits n items into one [lo, hi) range per CPU, or one range
// when n is too small to be worth it.
func chunks(n int) [][2]int {
	workers := runtime.GOMAXPROCS(0)
	if n < 10_000 || workers < 2 {
		return [][2]int{{0, n}}
	}
	var out [][2]int
	size := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += size {
		out = append(out, [2]int{lo, min(lo+size, n)})
	}
	return out
}

// parallel runs f on each range, concurrently when there are several.
func parallel(parts [][2]int, f func(p, lo, hi int)) {
	if len(parts) == 1 {
		f(0, parts[0][0], parts[0][1])
		return
	}
	var wg sync.WaitGroup
	for p, r := range parts {
		wg.Go(func() { f(p, r[0], r[1]) })
	}
	wg.Wait()
}

// jsonValue converts one decoded JSON value. Numbers keep every digit
// (cty numbers are arbitrary precision), so a 20-digit id read as a
// number prints back unchanged.
func jsonValue(v any) cty.Value {
	switch v := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType)
	case string:
		return cty.StringVal(v)
	case bool:
		return cty.BoolVal(v)
	case json.Number:
		n, err := cty.ParseNumberVal(string(v))
		if err != nil {
			return cty.StringVal(string(v)) // unreachable: encoding/json validated it
		}
		return n
	case []any:
		if len(v) == 0 {
			return cty.EmptyTupleVal
		}
		els := make([]cty.Value, len(v))
		for i, el := range v {
			els[i] = jsonValue(el)
		}
		return cty.TupleVal(els)
	case map[string]any:
		if len(v) == 0 {
			return cty.EmptyObjectVal
		}
		attrs := make(map[string]cty.Value, len(v))
		for k, el := range v {
			attrs[k] = jsonValue(el)
		}
		return cty.ObjectVal(attrs)
	}
	panic("inventory: unexpected JSON value type")
}
