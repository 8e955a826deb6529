package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// forEachInstances over sets, lists and tuples walks the value once
// (forEachStrings); these cases pin what that walk must still decide: an
// unknown element outranks a type error, keys come out sorted and
// deduplicated, and a failed variable silences the unknown.
func TestForEachInstancesOverStrings(t *testing.T) {
	tests := map[string]struct {
		v          cty.Value
		varsFailed bool
		wantKeys   []string
		wantErr    string // substring of the only diagnostic's detail; "" for none
		wantOK     bool
	}{
		"set": {
			v:        cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a"), cty.StringVal("c")}),
			wantKeys: []string{"a", "b", "c"}, wantOK: true,
		},
		"list sorted and deduplicated": {
			v:        cty.ListVal([]cty.Value{cty.StringVal("z"), cty.StringVal("a"), cty.StringVal("z")}),
			wantKeys: []string{"a", "z"}, wantOK: true,
		},
		"empty set": {v: cty.SetValEmpty(cty.String), wantKeys: []string{}, wantOK: true},
		"tuple with a number": {
			v:       cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1)}),
			wantErr: "element 1 is number",
		},
		"tuple with a null": {
			v:       cty.TupleVal([]cty.Value{cty.NullVal(cty.String), cty.StringVal("a")}),
			wantErr: "element 0 is null",
		},
		"unknown element outranks a type error": {
			v:       cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.UnknownVal(cty.String)}),
			wantErr: "not known while loading",
		},
		"unknown element after a failed variable": {
			v:          cty.ListVal([]cty.Value{cty.StringVal("a"), cty.UnknownVal(cty.String)}),
			varsFailed: true,
		},
		"unknown list":   {v: cty.UnknownVal(cty.List(cty.String)), wantErr: "not known while loading"},
		"null list":      {v: cty.NullVal(cty.List(cty.String)), wantErr: "is null"},
		"unknown in set": {v: cty.SetVal([]cty.Value{cty.UnknownVal(cty.String)}), wantErr: "not known while loading"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ld := &loadRun{varsFailed: tt.varsFailed}
			got, ok, diags := ld.forEachInstances(tt.v, hcl.Range{Filename: "main.hcl"})
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v (diags %v)", ok, tt.wantOK, diags)
			}
			switch {
			case tt.wantErr == "" && len(diags) > 0:
				t.Errorf("unexpected diagnostics: %v", diags)
			case tt.wantErr != "" && (len(diags) != 1 || !strings.Contains(diags[0].Detail, tt.wantErr)):
				t.Errorf("diagnostics %v, want one saying %q", diags, tt.wantErr)
			}
			if !tt.wantOK {
				return
			}
			keys := []string{}
			for _, e := range got {
				keys = append(keys, e.key)
				if e.value.AsString() != e.key {
					t.Errorf("instance %q has value %#v", e.key, e.value)
				}
			}
			if diff := cmp.Diff(tt.wantKeys, keys); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}
