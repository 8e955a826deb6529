package inventory

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// attrTypesPointer identifies an object type's attribute-type map, so
// that a test can tell a shared type from an equal copy.
func attrTypesPointer(t *testing.T, ty cty.Type) uintptr {
	t.Helper()
	if !ty.IsObjectType() {
		t.Fatalf("type %s is not an object type", ty.FriendlyName())
	}
	return reflect.ValueOf(ty).Field(0).Elem().FieldByName("AttrTypes").Pointer()
}

// TestTypeSharerSharesTypes checks that records of one shape end up with
// one type map between them, unchanged in value, and that a second shape
// gets its own.
func TestTypeSharerSharesTypes(t *testing.T) {
	tests := map[string]struct {
		vals      []cty.Value
		wantTypes int
	}{
		"one shape": {
			vals: []cty.Value{
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("a"), "n": cty.NumberIntVal(1)}),
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("b"), "n": cty.NumberIntVal(2)}),
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("c"), "n": cty.NullVal(cty.Number)}),
			},
			wantTypes: 1,
		},
		"two shapes interleaved": {
			vals: []cty.Value{
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("a"), "n": cty.NumberIntVal(1)}),
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("b"), "n": cty.StringVal("2")}),
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("c"), "n": cty.NumberIntVal(3)}),
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("d"), "n": cty.StringVal("4")}),
			},
			wantTypes: 2,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			want := append([]cty.Value(nil), tt.vals...)
			var s typeSharer
			s.share(tt.vals)
			maps := map[uintptr]bool{}
			for i, v := range tt.vals {
				if !v.RawEquals(want[i]) {
					t.Errorf("record %d is %#v after sharing, want %#v", i, v, want[i])
				}
				maps[attrTypesPointer(t, v.Type())] = true
			}
			if len(maps) != tt.wantTypes {
				t.Errorf("%d records have %d type maps, want %d", len(tt.vals), len(maps), tt.wantTypes)
			}
		})
	}
}

// TestValueJSONLinesSharesTypes checks a large inventory whose records
// come in two shapes (a tuple, which keeps every element's type): its
// records share a handful of types instead of holding one each.
func TestValueJSONLinesSharesTypes(t *testing.T) {
	const n = 20_000
	var b strings.Builder
	for i := range n {
		if i%2 == 0 {
			fmt.Fprintf(&b, `{"id": "c-%d", "n": %d}`+"\n", i, i)
		} else {
			fmt.Fprintf(&b, `{"id": "c-%d", "n": "%d"}`+"\n", i, i)
		}
	}
	v, got, err := ValueJSONLines([]byte(b.String()), "calls.jsonl", DefaultLimits)
	if err != nil || got != n {
		t.Fatalf("ValueJSONLines: %d records, %v; want %d, no error", got, err, n)
	}
	if !v.Type().IsTupleType() {
		t.Fatalf("value is %s, want a tuple", v.Type().FriendlyName())
	}
	maps := map[uintptr]bool{}
	for _, ety := range v.Type().TupleElementTypes() {
		maps[attrTypesPointer(t, ety)] = true
	}
	// Each chunk shares its own types.
	if limit := 2 * len(chunks(n)); len(maps) > limit {
		t.Errorf("%d records hold %d distinct type maps, want at most %d", n, len(maps), limit)
	}
}
