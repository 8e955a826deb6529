package config

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func testRun() *loadRun {
	fsys := fstest.MapFS{
		"p/ids.txt":   {Data: []byte("A\n")},
		"p/bin.dat":   {Data: []byte{0xff, 0xfe}},
		"outside.txt": {Data: []byte("x")},
	}
	return &loadRun{
		l:       NewLoader(),
		fsys:    ioFS{fsys},
		dir:     "p",
		environ: parseEnviron([]string{"SET=h", "EMPTY=", "DUP=1", "DUP=2"}),
		vars:    map[string]*variableDecl{"v": {name: "v"}},
		varVal:  cty.ObjectVal(map[string]cty.Value{"v": cty.StringVal("val")}),
	}
}

// TestFunctions evaluates jsonencode(EXPR) so that every result, whatever
// its type, compares as one string.
func TestFunctions(t *testing.T) {
	tests := map[string]struct {
		expr    string
		want    string
		wantErr string // diagnostic summary
	}{
		"file relative to the policy dir": {expr: `file("ids.txt")`, want: `"A\n"`},
		"file missing":                    {expr: `file("nope.txt")`, wantErr: "Error in function call"},
		"file not UTF-8":                  {expr: `file("bin.dat")`, wantErr: "Error in function call"},
		"file may leave the policy dir":   {expr: `file("../outside.txt")`, want: `"x"`},
		"file cannot leave the fs root":   {expr: `file("../../outside.txt")`, wantErr: "Error in function call"},
		"env set":                         {expr: `env("SET")`, want: `"h"`},
		"env unset":                       {expr: `env("UNSET")`, want: `""`},
		"env unset with default":          {expr: `env("UNSET", "d")`, want: `"d"`},
		"env empty is set":                {expr: `env("EMPTY", "d")`, want: `""`},
		"env later duplicate wins":        {expr: `env("DUP")`, want: `"2"`},
		"env too many arguments":          {expr: `env("A", "b", "c")`, wantErr: "Invalid function argument"},
		"try falls back":                  {expr: `try(file("nope.txt"), "fallback")`, want: `"fallback"`},
		"try takes the first success":     {expr: `try(tonumber("x"), var.v, "z")`, want: `"val"`},
		"can false":                       {expr: `can(file("nope.txt"))`, want: `false`},
		"can true":                        {expr: `can(regex("^a", "abc"))`, want: `true`},
		"length of string":                {expr: `length("héllo")`, want: `5`},
		"length of object":                {expr: `length({a = 1, b = 2})`, want: `2`},
		"length of list":                  {expr: `length(["a"])`, want: `1`},
		"length of number":                {expr: `length(3)`, wantErr: "Invalid function argument"},
		"replace literal":                 {expr: `replace("a.b.c", ".", "-")`, want: `"a-b-c"`},
		"replace regex":                   {expr: `replace("a1b22", "/[0-9]+/", "#")`, want: `"a#b#"`},
		"format and case":                 {expr: `format("%s-%03d", upper("x"), 7)`, want: `"X-007"`},
		"split join trimspace":            {expr: `join("|", [for s in split(",", " a, b ") : trimspace(s)])`, want: `"a|b"`},
		"toset sorts and dedupes":         {expr: `tolist(toset(["b", "a", "b"]))`, want: `["a","b"]`},
		"merge and lookup":                {expr: `lookup(merge({a = "1"}, {b = "2"}), "b", "none")`, want: `"2"`},
		"jsondecode":                      {expr: `jsondecode("{\"id\":\"X\"}").id`, want: `"X"`},
		"csvdecode":                       {expr: `csvdecode("id,reason\nA,stuck\n")[0].id`, want: `"A"`},
		"flatten concat distinct":         {expr: `distinct(flatten([["a"], concat(["a"], ["b"])]))`, want: `["a","b"]`},
		"setunion":                        {expr: `sort(tolist(setunion(["b"], ["a"])))`, want: `["a","b"]`},
		"zipmap keys values":              {expr: `keys(zipmap(["k"], ["v"]))`, want: `["k"]`},
		"numbers":                         {expr: `[abs(-2), ceil(1.2), floor(1.8), max(1, 3), min(1, 3)]`, want: `[2,2,1,3,1]`},
		"trims":                           {expr: `[trimprefix("ab", "a"), trimsuffix("ab", "b"), trim("xax", "x"), chomp("a\n")]`, want: `["b","a","a","a"]`},
		"var in scope":                    {expr: `var.v`, want: `"val"`},
		"undeclared var":                  {expr: `var.w`, wantErr: "Reference to undeclared input variable"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ld := testRun()
			expr, diags := hclsyntax.ParseExpression([]byte("jsonencode("+tc.expr+")"), "t.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatalf("parse: %s", diags)
			}
			v, diags := ld.eval(expr, nil)
			if tc.wantErr != "" {
				if len(diags) != 1 || diags[0].Summary != tc.wantErr {
					t.Fatalf("diagnostics = %v, want one %q", diagLines(diags), tc.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("unexpected diagnostics:\n%s", renderDiags(diags))
			}
			if got := v.AsString(); got != tc.want {
				t.Errorf("%s = %s, want %s", tc.expr, got, tc.want)
			}
		})
	}
}

// TestFunctionTable checks that every function a Terraform user reaches
// for is there by that name.
func TestFunctionTable(t *testing.T) {
	want := strings.Fields(`lower upper format formatlist join split concat distinct toset tolist
		tomap tostring tonumber length merge trimspace trim trimprefix trimsuffix replace regex
		regexall contains keys values lookup flatten coalesce coalescelist element range slice
		sort substr chomp indent title min max abs ceil floor jsonencode jsondecode csvdecode
		setunion setintersection zipmap compact reverse file env try can`)
	funcs := testRun().functions()
	for _, name := range want {
		if _, ok := funcs[name]; !ok {
			t.Errorf("function %q is missing", name)
		}
	}
}

func TestIsLiteralString(t *testing.T) {
	tests := map[string]bool{
		`"hunter2"`:             true,
		"<<EOT\nhunter2\nEOT\n": true,
		`"a${"b"}"`:             true,
		`env("P")`:              false,
		`var.password`:          false,
		`"pre-${var.password}"`: false,
		`"${lower("A")}"`:       false,
		`42`:                    false,
		`true ? "a" : "b"`:      false,
	}
	for src, want := range tests {
		expr, diags := hclsyntax.ParseExpression([]byte(src), "t.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("parse %q: %s", src, diags)
		}
		if got := isLiteralString(expr); got != want {
			t.Errorf("isLiteralString(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestNameSuggestion(t *testing.T) {
	cands := []string{"corp", "edge", "Exchange2010"}
	tests := map[string]string{
		"crop":         "corp",
		"exchange2010": "Exchange2010",
		"edg":          "edge",
		"faraway":      "",
		"":             "",
	}
	for given, want := range tests {
		if got := nameSuggestion(given, cands); got != want {
			t.Errorf("nameSuggestion(%q) = %q, want %q", given, got, want)
		}
	}
}
