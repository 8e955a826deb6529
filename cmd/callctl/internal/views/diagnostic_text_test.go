package views

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// renderBoth renders diags with HCL's own writer and with TextWriter.
func renderBoth(diags hcl.Diagnostics, files map[string]*hcl.File, width int) (hclText, ours string) {
	var a, b bytes.Buffer
	_ = hcl.NewDiagnosticTextWriter(&a, files, uint(width), false).WriteDiagnostics(diags)
	NewTextWriter(&b, files, width, false).WriteDiagnostics(diags)
	return a.String(), b.String()
}

// parseDiags parses src and, when it parses, evaluates every top-level
// attribute, to get diagnostics with snippets, contexts and values.
func parseDiags(src []byte) (hcl.Diagnostics, map[string]*hcl.File) {
	f, diags := hclsyntax.ParseConfig(src, "main.hcl", hcl.InitialPos)
	files := map[string]*hcl.File{"main.hcl": f}
	if f == nil {
		return diags, files
	}
	if body, ok := f.Body.(*hclsyntax.Body); ok {
		ctx := &hcl.EvalContext{Variables: map[string]cty.Value{
			"var": cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(3), "s": cty.StringVal("x")}),
		}}
		for _, attr := range body.Attributes {
			_, moreDiags := attr.Expr.Value(ctx)
			diags = append(diags, moreDiags...)
		}
		for _, b := range body.Blocks {
			for _, attr := range b.Body.Attributes {
				_, moreDiags := attr.Expr.Value(ctx)
				diags = append(diags, moreDiags...)
			}
		}
	}
	return diags, files
}

// TestTextWriterMatchesHCL checks that the linear-time writer prints what
// HCL's writer prints, for the shapes diagnostics take.
func TestTextWriterMatchesHCL(t *testing.T) {
	tests := map[string]string{
		"parse error":         "a = \n b = 2\n",
		"crlf":                "a = 1\r\nb = [\r\n  1,\r\n  \r\n]\r\nc = var.s + 1\r\n",
		"block context":       "exchange \"x\" {\n  url = var.n + var.s\n}\n",
		"multi-line subject":  "a = {\n  x = 1\n} + 1\n",
		"unknown variable":    "a = nope.x\n",
		"empty range at eof":  "a = \"abc",
		"bad escape":          "a = \"CORP\\alice\"\n",
		"no trailing newline": "a = var.s + var.n",
		"values":              "a = var.s + var.n + 1\n",
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			diags, files := parseDiags([]byte(src))
			if len(diags) == 0 {
				t.Fatal("the case gives no diagnostics")
			}
			want, got := renderBoth(diags, files, 40)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("TextWriter differs from HCL's writer (-hcl +ours):\n%s", diff)
			}
		})
	}
}

// FuzzTextWriter renders the diagnostics of arbitrary sources. It must
// not panic, and every quoted line must be the source line of that number.
// (HCL's own writer is no oracle here: it numbers lines after a lone
// carriage return differently from its parser, and prints stray text for
// some ranges in broken files.)
func FuzzTextWriter(f *testing.F) {
	for _, s := range []string{strings.Repeat("a", 1000) + " = \n", "a = \"" + strings.Repeat("é", 500) + "\" +\n", "x \"y\" {\n a = var.s + 1\n}\n", "a = [[[\n", "a = \"\\q\"\r\n", "\xff\xfe = 1", "a = <<EOT\n${b\nEOT\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 || bytes.Count(src, []byte("[")) > 100 {
			t.Skip("deep or large inputs are the loader's to refuse")
		}
		diags, files := parseDiags(src)
		var buf bytes.Buffer
		NewTextWriter(&buf, files, 60, false).WriteDiagnostics(diags)
		lines := strings.Split(string(src), "\n")
		for l := range strings.SplitSeq(buf.String(), "\n") {
			var n int
			var rest string
			if _, err := fmt.Sscanf(l, "%4d:", &n); err != nil || len(l) < 6 || l[4] != ':' {
				continue
			}
			rest = l[6:]
			if n < 1 || n > len(lines) {
				t.Fatalf("quoted line %d of a %d-line source", n, len(lines))
			}
			want := strings.TrimSuffix(lines[n-1], "\r")
			if cut := strings.TrimSuffix(strings.TrimPrefix(rest, "…"), "…"); cut != rest {
				if len(want) <= viewsjson.MaxSnippetLine || len(cut) > viewsjson.MaxSnippetLine || !strings.Contains(want, cut) {
					t.Fatalf("line %d (%d bytes) cut to %q", n, len(want), rest)
				}
				continue
			}
			if rest != want {
				t.Fatalf("line %d quoted as %q, source has %q", n, rest, want)
			}
		}
	})
}

// TestTextWriterRedacts checks that no sensitive value reaches the text:
// neither through a "with var.x as" line, even nested in an object, nor
// through the source of a diagnostic that says its source holds a secret.
func TestTextWriterRedacts(t *testing.T) {
	const secret = "Zq7!hunter2-SECRETPW"
	src := []byte("a = var.o.pw + 1\nb = \"" + secret + "\"\n")
	f, diags := hclsyntax.ParseConfig(src, "main.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	attrs := f.Body.(*hclsyntax.Body).Attributes
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{
		"var": cty.ObjectVal(map[string]cty.Value{
			"o": cty.ObjectVal(map[string]cty.Value{"pw": cty.StringVal(secret).Mark("sensitive")}),
		}),
	}}
	_, evalDiags := attrs["a"].Expr.Value(ctx)
	if len(evalDiags) == 0 || evalDiags[0].EvalContext == nil {
		t.Fatal("expected an evaluation diagnostic with a context")
	}
	all := append(evalDiags, &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "Literal password in policy",
		Subject:  attrs["b"].Expr.Range().Ptr(),
		Extra:    hidden{},
	})
	files := map[string]*hcl.File{"main.hcl": f}

	var buf bytes.Buffer
	NewTextWriter(&buf, files, 78, false).WriteDiagnostics(all)
	text := buf.String()
	if strings.Contains(text, "hunter2") {
		t.Errorf("the text shows the secret:\n%s", text)
	}
	if !strings.Contains(text, "on main.hcl line 2:") {
		t.Errorf("the hidden diagnostic lost its location:\n%s", text)
	}
	for _, d := range all {
		j := fmt.Sprintf("%+v", *viewsjson.NewDiagnostic(d, files))
		if sn := viewsjson.NewDiagnostic(d, files).Snippet; sn != nil && strings.Contains(sn.Code, "hunter2") {
			t.Errorf("the JSON snippet shows the secret: %s", j)
		}
	}
}

type hidden struct{}

func (hidden) HidesSource() bool { return true }

// BenchmarkTextWriterManyDiagnostics renders one diagnostic per line of
// an 8,000-line file, the shape that HCL's writer renders in quadratic
// time. Compare with -bench=. and the HCL sub-benchmark.
func BenchmarkTextWriterManyDiagnostics(b *testing.B) {
	var src bytes.Buffer
	for i := range 8000 {
		fmt.Fprintf(&src, "line%d = \n", i)
	}
	diags, files := parseDiags(src.Bytes())
	b.Logf("%d diagnostics over %d bytes", len(diags), src.Len())
	b.Run("TextWriter", func(b *testing.B) {
		for b.Loop() {
			NewTextWriter(&bytes.Buffer{}, files, 78, false).WriteDiagnostics(diags)
		}
	})
	b.Run("HCL", func(b *testing.B) {
		for b.Loop() {
			_ = hcl.NewDiagnosticTextWriter(&bytes.Buffer{}, files, 78, false).WriteDiagnostics(diags)
		}
	})
}

// TestTextWriterCutsLongLines checks that a snippet quotes at most
// viewsjson.MaxSnippetLine bytes of a line, around the highlighted part.
func TestTextWriterCutsLongLines(t *testing.T) {
	src := "a = [" + strings.Repeat("1, ", 10000) + "nope.x]\n"
	diags, files := parseDiags([]byte(src))
	if len(diags) == 0 {
		t.Fatal("no diagnostics")
	}
	var buf bytes.Buffer
	NewTextWriter(&buf, files, 78, false).WriteDiagnostics(diags)
	out := buf.String()
	if len(out) > 2*viewsjson.MaxSnippetLine {
		t.Errorf("%d bytes of output for one diagnostic:\n%s", len(out), out)
	}
	if !strings.Contains(out, "   1: …") || !strings.Contains(out, "nope.x]") {
		t.Errorf("the snippet is not cut around the highlight:\n%s", out)
	}
}
