package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
)

// TestCheckNesting checks where the nesting bound applies: to code and
// interpolations, not to brackets inside strings, comments and heredocs.
func TestCheckNesting(t *testing.T) {
	deep := strings.Repeat("[", maxNesting+1)
	tests := map[string]struct {
		src      string
		wantLine int // 0: no diagnostic
		wantCol  int
	}{
		"shallow":                   {"a = [[1]]\n", 0, 0},
		"deep list":                 {"a = 1\nb = " + deep + "\n", 2, 5 + maxNesting},
		"deep braces and parens":    {"a = " + strings.Repeat("{x=(", maxNesting) + "\n", 1, 5 + 2*maxNesting}, // {x=( is 4 columns, 2 levels
		"brackets in a string":      {"a = \"" + deep + "\"\n", 0, 0},
		"escaped quote in a string": {"a = \"\\\"" + deep + "\"\n", 0, 0},
		"brackets in comments":      {"# " + deep + "\n// " + deep + "\n/* " + deep + " */\na = 1\n", 0, 0},
		"brackets in a heredoc":     {"a = <<EOT\n" + deep + "\nEOT\nb = 1\n", 0, 0},
		"deep interpolation":        {"a = \"" + strings.Repeat("${\"", maxNesting) + "\n", 1, 5 + 3*maxNesting/2}, // ${" is 3 columns, 2 levels
		"interpolation in heredoc":  {"a = <<-EOT\n  ${" + deep + "\n  EOT\n", 2, 3 + maxNesting},
		"escaped interpolation":     {"a = \"" + strings.Repeat("$${", maxNesting+1) + "\"\n", 0, 0},
		"unbalanced closers":        {"a = ]]]]\n", 0, 0},
		"unary operators":           {"a = " + strings.Repeat("!", maxNesting+1) + "true\n", 1, 5 + maxNesting},
		"spaced negations":          {"a = " + strings.Repeat("- ", maxNesting+1) + "1\n", 1, 5 + 2*maxNesting},
		"many subtractions":         {"a = " + strings.Repeat("1 - ", 2*maxNesting) + "1\n", 0, 0},
		"conditional chain":         {"a = " + strings.Repeat("x ? 1 : ", maxNesting+1) + "2\n", 1, 7 + 8*maxNesting},
		"conditionals in a list":    {"a = [" + strings.Repeat("x ? 1 : 2, ", maxNesting+1) + "]\n", 0, 0},
		"conditionals on lines":     {strings.Repeat("a = x ? 1 : 2\n", maxNesting+1), 0, 0},
		"nested if directives":      {"a = \"" + strings.Repeat("%{ if x }", maxNesting+1) + "\"\n", 1, 6 + 9*maxNesting},
		"sequential if directives":  {"a = \"" + strings.Repeat("%{if x}y%{endif}", maxNesting+1) + "\"\n", 0, 0},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			d := checkNesting([]byte(tt.src), "x.hcl")
			switch {
			case tt.wantLine == 0 && d != nil:
				t.Errorf("unexpected diagnostic at %s", d.Subject)
			case tt.wantLine != 0 && d == nil:
				t.Error("no diagnostic")
			case d != nil && (d.Subject.Start.Line != tt.wantLine || d.Subject.Start.Column != tt.wantCol):
				t.Errorf("diagnostic at %d:%d, want %d:%d", d.Subject.Start.Line, d.Subject.Start.Column, tt.wantLine, tt.wantCol)
			}
		})
	}
}

// TestDeepInputsRefused loads 100,000 nested brackets as a policy file,
// a variables file and a -var value: each is one error, not a stack
// overflow.
func TestDeepInputsRefused(t *testing.T) {
	deep := strings.Repeat("[", 100000)
	policy := "variable \"v\" {\n  type = list(any)\n  default = []\n}\n"
	tests := map[string]struct {
		files fstest.MapFS
		opts  LoadOptions
	}{
		"policy file":   {fstest.MapFS{"main.hcl": {Data: []byte("a = " + deep)}}, LoadOptions{}},
		"var-file":      {fstest.MapFS{"main.hcl": {Data: []byte(policy)}, "v.vars": {Data: []byte("v = " + deep)}}, LoadOptions{VarFiles: []string{"v.vars"}}},
		"JSON var-file": {fstest.MapFS{"main.hcl": {Data: []byte(policy)}, "v.json": {Data: []byte(`{"v": ` + deep + strings.Repeat("]", 100000) + "}")}}, LoadOptions{VarFiles: []string{"v.json"}}},
		"-var":          {fstest.MapFS{"main.hcl": {Data: []byte(policy)}}, LoadOptions{Vars: []string{"v=" + deep}}},
		"CALLCTL_VAR_v": {fstest.MapFS{"main.hcl": {Data: []byte(policy)}}, LoadOptions{Environ: []string{"CALLCTL_VAR_v=" + deep}}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, diags := NewLoader().LoadFS(tt.files, ".", tt.opts)
			if len(diags) != 1 || diags[0].Summary != "Nesting too deep" {
				t.Errorf("want one \"Nesting too deep\" error, got:\n%s", renderDiags(diags))
			}
		})
	}
	if _, diags := Format([]byte("a = "+deep), "x.hcl"); len(diags) != 1 {
		t.Errorf("Format: want one error, got:\n%s", renderDiags(diags))
	}
}

// TestCapDiags checks that a file contributes at most maxDiagsPerFile
// errors and as many warnings, followed by one diagnostic that counts the
// rest, and that warnings cannot crowd out errors.
func TestCapDiags(t *testing.T) {
	var diags hcl.Diagnostics
	add := func(n int, sev hcl.DiagnosticSeverity, file string) {
		for i := range n {
			diags = append(diags, &hcl.Diagnostic{Severity: sev, Summary: fmt.Sprint(file, sev, i), Subject: &hcl.Range{Filename: file}})
		}
	}
	add(3*maxDiagsPerFile, hcl.DiagWarning, "a.hcl")
	add(maxDiagsPerFile+2, hcl.DiagError, "a.hcl")
	add(1, hcl.DiagError, "b.hcl")

	got := capDiags(diags)
	var errs, warns int
	for _, d := range got[:len(got)-1] {
		if d.Subject.Filename != "a.hcl" {
			continue
		}
		if d.Severity == hcl.DiagError {
			errs++
		} else {
			warns++
		}
	}
	if errs != maxDiagsPerFile || warns != maxDiagsPerFile {
		t.Errorf("kept %d errors and %d warnings of a.hcl, want %d of each", errs, warns, maxDiagsPerFile)
	}
	last := got[len(got)-1]
	if want := fmt.Sprintf("And 2 more errors and %d warnings", 2*maxDiagsPerFile); last.Summary != want || last.Severity != hcl.DiagError {
		t.Errorf("last diagnostic %q (severity %v), want %q, an error", last.Summary, last.Severity, want)
	}
	if last.Subject != diags[maxDiagsPerFile].Subject {
		t.Errorf("the count is not at the first diagnostic left out")
	}
	if !slices.ContainsFunc(got, func(d *hcl.Diagnostic) bool { return d.Subject.Filename == "b.hcl" }) {
		t.Error("b.hcl's diagnostic was dropped")
	}
}
