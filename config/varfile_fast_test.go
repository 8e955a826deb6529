package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// varFileSamples are var-files simpleVarFile must read (simple: true)
// or hand to HCL (simple: false); either way its answer must match HCL's.
var varFileSamples = map[string]struct {
	src    string
	simple bool
}{
	"incident":            {"incident = \"INC-1\"\n\nstuck_calls = [\n  \"YWJj+/=\",\n  \"ZGVm\",\n]\n", true},
	"no final newline":    {`a = "x"`, true},
	"no trailing comma":   {"l = [\"a\", \"b\"]\n", true},
	"empty list":          {"l = []\n", true},
	"empty string":        {"s = \"\"\n", true},
	"comments":            {"# list\n// more\nl = [ # first\n  \"a\", // note\n  \"b\"\n]\n# end", true},
	"comma on next line":  {"l = [\"a\"\n, \"b\"]\n", true},
	"tabs and blanks":     {"\t a\t=\t\"x\"\t\n\n\n", true},
	"ident with dash":     {"my-var_2 = \"x\"\n", true},
	"keyword name":        {"true = \"x\"\n", true},
	"empty file":          {"", true},
	"only comments":       {"# nothing\n", true},
	"quote and ampersand": {`s = "<a&b>"` + "\n", true},
	"escape":              {`s = "a\"b"` + "\n", false},
	"template":            {`s = "${var.x}"` + "\n", false},
	"directive":           {`s = "%{if true}x%{endif}"` + "\n", false},
	"dollar":              {`s = "a$b"` + "\n", false},
	"unicode":             {`s = "café"` + "\n", false},
	"crlf":                {"s = \"x\"\r\n", false},
	"trailing comment":    {"s = \"x\" # why\n", false},
	"block comment":       {"/* c */\ns = \"x\"\n", false},
	"number":              {"n = 1\n", false},
	"bool":                {"b = true\n", false},
	"heredoc":             {"s = <<EOT\nx\nEOT\n", false},
	"map":                 {"m = { a = \"x\" }\n", false},
	"block":               {"b {\n}\n", false},
	"duplicate":           {"a = \"x\"\na = \"y\"\n", false},
	"two on a line":       {"a = \"x\" b = \"y\"\n", false},
	"comma after attr":    {"a = \"x\",\n", false},
	"unterminated":        {"a = \"x\n", false},
	"unclosed list":       {"l = [\"a\",\n", false},
	"double comma":        {"l = [\"a\",,]\n", false},
	"missing comma":       {"l = [\"a\" \"b\"]\n", false},
	"nul":                 {"a = \"\x00\"\n", false},
	"newline before eq":   {"a\n= \"x\"\n", false},
	"digit first":         {"1a = \"x\"\n", false},
}

func TestSimpleVarFileMatchesHCL(t *testing.T) {
	for name, tt := range varFileSamples {
		t.Run(name, func(t *testing.T) {
			_, simple := simpleVarFile([]byte(tt.src), "x.vars")
			if simple != tt.simple {
				t.Fatalf("simple = %v, want %v", simple, tt.simple)
			}
			compareVarFileWithHCL(t, []byte(tt.src))
		})
	}
}

// FuzzSimpleVarFile checks that whatever simpleVarFile accepts, HCL reads
// the same way: no diagnostics, the same names, values and ranges.
func FuzzSimpleVarFile(f *testing.F) {
	for _, tt := range varFileSamples {
		f.Add([]byte(tt.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		compareVarFileWithHCL(t, src)
	})
}

// compareVarFileWithHCL fails if simpleVarFile accepts src and HCL does
// not read it to the same attributes.
func compareVarFileWithHCL(t *testing.T, src []byte) {
	t.Helper()
	got, simple := simpleVarFile(src, "x.vars")
	if !simple {
		return
	}
	f, diags := hclsyntax.ParseConfig(src, "x.vars", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("simpleVarFile accepted %q, which HCL refuses: %v", src, diags)
	}
	want, diags := f.Body.JustAttributes()
	if len(diags) > 0 {
		t.Fatalf("simpleVarFile accepted %q; HCL says: %v", src, diags)
	}
	if len(got) != len(want) {
		t.Fatalf("%q: %d attributes, HCL has %d", src, len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		if g == nil {
			t.Fatalf("%q: no attribute %q", src, name)
		}
		wv, wd := w.Expr.Value(nil)
		gv, gd := g.Expr.Value(nil)
		if wd.HasErrors() || gd.HasErrors() || !wv.RawEquals(gv) {
			t.Errorf("%q: %s = %#v (%v), HCL has %#v (%v)", src, name, gv, gd, wv, wd)
		}
		type ranges struct{ Attr, Name, Expr hcl.Range }
		if diff := cmp.Diff(ranges{w.Range, w.NameRange, w.Expr.Range()}, ranges{g.Range, g.NameRange, g.Expr.Range()}); diff != "" {
			t.Errorf("%q: %s ranges (-HCL +simple):\n%s", src, name, diff)
		}
	}
}
