package config

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// diagLines renders diagnostics as "ERROR: Summary @file:line" (without
// the @ part when there is no Subject), for table comparisons.
func diagLines(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		s := severityName(d.Severity) + ": " + d.Summary
		if d.Subject != nil {
			s += fmt.Sprintf(" @%s:%d", d.Subject.Filename, d.Subject.Start.Line)
		}
		out = append(out, s)
	}
	return out
}

var ctyEqual = cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) })

const precedencePolicy = `
variable "v" {
  type    = string
  default = "default"
}
`

func TestVariablePrecedence(t *testing.T) {
	fsys := fstest.MapFS{
		"policy/main.hcl": {Data: []byte(precedencePolicy)},
		"a.vars":          {Data: []byte(`v = "file-a"`)},
		"b.json":          {Data: []byte(`{"v": "file-b"}`)},
	}
	tests := map[string]struct {
		opts LoadOptions
		want string
	}{
		"default only":              {LoadOptions{}, "default"},
		"env beats default":         {LoadOptions{Environ: []string{"CALLCTL_VAR_v=env"}}, "env"},
		"later env entry wins":      {LoadOptions{Environ: []string{"CALLCTL_VAR_v=env1", "CALLCTL_VAR_v=env2"}}, "env2"},
		"var-file beats env":        {LoadOptions{Environ: []string{"CALLCTL_VAR_v=env"}, VarFiles: []string{"a.vars"}}, "file-a"},
		"later var-file wins":       {LoadOptions{VarFiles: []string{"a.vars", "b.json"}}, "file-b"},
		"order of var-files counts": {LoadOptions{VarFiles: []string{"b.json", "a.vars"}}, "file-a"},
		"-var beats var-file": {LoadOptions{
			Environ: []string{"CALLCTL_VAR_v=env"}, VarFiles: []string{"a.vars"}, Vars: []string{"v=flag"},
		}, "flag"},
		"later -var wins":                   {LoadOptions{Vars: []string{"v=one", "v=two"}}, "two"},
		"-var value keeps its = and spaces": {LoadOptions{Vars: []string{"v= a=b "}}, " a=b "},
		"unrelated env is ignored":          {LoadOptions{Environ: []string{"CALLCTL_VAR_other=x", "v=y"}}, "default"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pol, diags := NewLoader().LoadFS(fsys, "policy", tc.opts)
			if len(diags) != 0 {
				t.Fatalf("unexpected diagnostics: %v", diagLines(diags))
			}
			if diff := cmp.Diff(cty.StringVal(tc.want), pol.Variables["v"], ctyEqual); diff != "" {
				t.Errorf("var.v (-want +got):\n%s", diff)
			}
		})
	}
}

const typedPolicy = `
variable "n" {
  type    = number
  default = 1
}
variable "l" {
  type    = list(string)
  default = []
}
variable "untyped" {
  default = "d"
}
variable "anything" {
  type    = any
  default = null
}
variable "obj" {
  type    = object({ id = string, reason = optional(string, "none") })
  default = { id = "x" }
}
variable "secret" {
  type      = string
  default   = "s"
  sensitive = true
}
variable "pin" {
  type      = number
  default   = 0
  sensitive = true
}
`

func TestVariableValues(t *testing.T) {
	fsys := fstest.MapFS{
		"policy/main.hcl": {Data: []byte(typedPolicy)},
		"bad.vars":        {Data: []byte("n = \"x\"\n\nl = [\"a\", \"b\"]\n")},
		"list.json":       {Data: []byte(`{"l": ["a", "b"], "nope": 1}`)},
		"ref.vars":        {Data: []byte(`n = var.other`)},
		"broken.vars":     {Data: []byte(`n = `)},
	}
	tests := map[string]struct {
		opts      LoadOptions
		want      map[string]cty.Value // checked variables only
		wantDiags []string
	}{
		"-var converts a literal to number": {
			opts: LoadOptions{Vars: []string{"n=3"}},
			want: map[string]cty.Value{"n": cty.NumberIntVal(3)},
		},
		"-var with a wrong type points at the declaration": {
			opts:      LoadOptions{Vars: []string{"n=abc"}},
			wantDiags: []string{"ERROR: Invalid value for variable @policy/main.hcl:2"},
		},
		"env value for a list is HCL": {
			opts: LoadOptions{Environ: []string{`CALLCTL_VAR_l=["a", "b"]`}},
			want: map[string]cty.Value{"l": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		},
		"env value of the wrong type names the env var": {
			opts:      LoadOptions{Environ: []string{`CALLCTL_VAR_l={a = {}}`}},
			wantDiags: []string{"ERROR: Invalid value for variable @policy/main.hcl:6"},
		},
		"non-string -var that does not parse": {
			opts:      LoadOptions{Vars: []string{`l=["a"`}},
			wantDiags: []string{"ERROR: Unterminated tuple constructor expression @<value for var.l>:1"},
		},
		"untyped -var is a literal string": {
			opts: LoadOptions{Vars: []string{`untyped=["a"]`}},
			want: map[string]cty.Value{"untyped": cty.StringVal(`["a"]`)},
		},
		"type any -var is HCL": {
			opts: LoadOptions{Vars: []string{`anything={a = 1}`}},
			want: map[string]cty.Value{"anything": cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1)})},
		},
		"optional attribute default applies to a -var": {
			opts: LoadOptions{Vars: []string{`obj={id = "y"}`}},
			want: map[string]cty.Value{"obj": cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("y"), "reason": cty.StringVal("none")})},
		},
		"var-file type error points into the var-file": {
			opts:      LoadOptions{VarFiles: []string{"bad.vars"}},
			wantDiags: []string{"ERROR: Invalid value for variable @bad.vars:1"},
		},
		"overridden bad value is no error": {
			opts: LoadOptions{VarFiles: []string{"bad.vars"}, Vars: []string{"n=2"}},
			want: map[string]cty.Value{"n": cty.NumberIntVal(2), "l": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		},
		"json var-file, undeclared entry warns": {
			opts:      LoadOptions{VarFiles: []string{"list.json"}},
			want:      map[string]cty.Value{"l": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
			wantDiags: []string{"WARNING: Value for undeclared variable @list.json:1"},
		},
		"var-file may not use references": {
			opts:      LoadOptions{VarFiles: []string{"ref.vars"}},
			wantDiags: []string{"ERROR: Variables not allowed @ref.vars:1"},
		},
		"var-file that does not parse": {
			opts:      LoadOptions{VarFiles: []string{"broken.vars"}},
			wantDiags: []string{"ERROR: Missing expression @broken.vars:1"},
		},
		"missing var-file": {
			opts:      LoadOptions{VarFiles: []string{"missing.vars"}},
			wantDiags: []string{"ERROR: Failed to read variables file"},
		},
		"undeclared -var is an error": {
			opts:      LoadOptions{Vars: []string{"nn=1"}},
			wantDiags: []string{"ERROR: Value for undeclared variable"},
		},
		"-var without =": {
			opts:      LoadOptions{Vars: []string{"n"}},
			wantDiags: []string{"ERROR: Invalid -var option"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pol, diags := NewLoader().LoadFS(fsys, "policy", tc.opts)
			if diff := cmp.Diff(tc.wantDiags, diagLines(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%s", diff, renderDiags(diags))
			}
			for k, want := range tc.want {
				if diff := cmp.Diff(want, pol.Variables[k], ctyEqual); diff != "" {
					t.Errorf("var.%s (-want +got):\n%s", k, diff)
				}
			}
			if !diags.HasErrors() && !pol.Sensitive["secret"] {
				t.Errorf("Sensitive = %v, want secret marked", pol.Sensitive)
			}
		})
	}
}

func TestVariableDiagnosticDetail(t *testing.T) {
	fsys := fstest.MapFS{
		"p/main.hcl": {Data: []byte(typedPolicy + `
variable "required" {
  type = string
}
`)},
	}
	tests := map[string]struct {
		opts        LoadOptions
		contains    []string
		notContains string
	}{
		"type error names variable and source": {
			opts:     LoadOptions{Environ: []string{"CALLCTL_VAR_n=abc"}, Vars: []string{"required=x"}},
			contains: []string{`variable "n"`, "CALLCTL_VAR_n", "number"},
		},
		"required variable says how to set it": {
			opts:     LoadOptions{},
			contains: []string{`"required"`, "-var", "CALLCTL_VAR_required"},
		},
		"undeclared -var suggests a name": {
			opts:     LoadOptions{Vars: []string{"requird=x", "required=x"}},
			contains: []string{`Did you mean "required"?`},
		},
		"sensitive value is never printed": {
			opts:        LoadOptions{Vars: []string{"pin=hunter2", "required=x"}},
			contains:    []string{`variable "pin"`},
			notContains: "hunter2",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, diags := NewLoader().LoadFS(fsys, "p", tc.opts)
			if len(diags) != 1 {
				t.Fatalf("want one diagnostic, got:\n%s", renderDiags(diags))
			}
			for _, s := range tc.contains {
				if !strings.Contains(diags[0].Detail, s) {
					t.Errorf("detail %q does not contain %q", diags[0].Detail, s)
				}
			}
			if tc.notContains != "" && strings.Contains(diags[0].Detail, tc.notContains) {
				t.Errorf("detail %q contains %q", diags[0].Detail, tc.notContains)
			}
		})
	}
}
