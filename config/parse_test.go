package config

import (
	"fmt"
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
// diagnostics, followed by one that counts the rest.
func TestCapDiags(t *testing.T) {
	var diags hcl.Diagnostics
	droppedErrors := 0
	for i := range 3 * maxDiagsPerFile {
		sev := hcl.DiagWarning
		if i%3 == 0 {
			sev = hcl.DiagError
			if i >= maxDiagsPerFile {
				droppedErrors++
			}
		}
		diags = append(diags, &hcl.Diagnostic{Severity: sev, Summary: fmt.Sprint("d", i), Subject: &hcl.Range{Filename: "a.hcl"}})
	}
	diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "other", Subject: &hcl.Range{Filename: "b.hcl"}})
	got := capDiags(diags)
	if len(got) != maxDiagsPerFile+2 {
		t.Fatalf("%d diagnostics, want %d", len(got), maxDiagsPerFile+2)
	}
	last := got[len(got)-1]
	wantSummary := fmt.Sprintf("And %d more errors and %d warnings", droppedErrors, 2*maxDiagsPerFile-droppedErrors)
	if last.Summary != wantSummary || last.Severity != hcl.DiagError || last.Subject != diags[maxDiagsPerFile].Subject {
		t.Errorf("last diagnostic %q (%v), want %q at the first one left out", last.Summary, last.Severity, wantSummary)
	}
	if got[maxDiagsPerFile].Summary != "other" {
		t.Errorf("b.hcl's diagnostic was dropped")
	}
}
