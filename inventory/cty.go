package inventory

import (
	"encoding/json"
	"slices"

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
func Value(recs []Record) cty.Value {
	if len(recs) == 0 {
		return cty.ListValEmpty(cty.EmptyObject)
	}
	objs := make([]map[string]cty.Value, len(recs))
	fieldTypes := map[string]cty.Type{}
	mixed := map[string]bool{}
	for i, rec := range recs {
		obj := make(map[string]cty.Value, len(rec))
		for k, v := range rec {
			cv := jsonValue(v)
			obj[k] = cv
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
		objs[i] = obj
	}
	names := make([]string, 0, len(fieldTypes))
	for k := range fieldTypes {
		names = append(names, k)
	}
	slices.Sort(names)

	homogeneous := len(mixed) == 0
	for k, t := range fieldTypes {
		if mixed[k] {
			fieldTypes[k] = cty.DynamicPseudoType
		}
		if t == cty.DynamicPseudoType {
			homogeneous = false // a field only ever null stays untyped
		}
	}
	vals := make([]cty.Value, len(objs))
	for i, obj := range objs {
		for _, k := range names {
			if v, ok := obj[k]; !ok || v.IsNull() {
				obj[k] = cty.NullVal(fieldTypes[k])
			}
		}
		vals[i] = cty.ObjectVal(obj)
	}
	if homogeneous {
		return cty.ListVal(vals)
	}
	return cty.TupleVal(vals)
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
