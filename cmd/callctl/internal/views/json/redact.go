package json

import (
	"github.com/hashicorp/hcl/v2"
)

// MaxSnippetLine is the most bytes of one source line a snippet quotes,
// in text and in JSON;
// longer lines are cut around the highlighted part, marked with "…".
const MaxSnippetLine = 400

// hidesSource is the Extra of a diagnostic whose source lines hold a
// secret, such as config.SecretInSource.
type hidesSource interface{ HidesSource() bool }

// Redact returns d without what could show a sensitive value: the
// evaluation context, when a value it would print carries a cty mark, and
// the source range, when the diagnostic says its source holds a secret.
// hidden reports the latter; d's Subject is then kept only for its file
// and line, which the caller may print.
func Redact(d *hcl.Diagnostic) (out *hcl.Diagnostic, hidden bool) {
	if hs, ok := hcl.DiagnosticExtra[hidesSource](d); ok && hs.HidesSource() {
		c := *d
		c.Context, c.Expression, c.EvalContext = nil, nil, nil
		return &c, true
	}
	if d.Expression != nil && d.EvalContext != nil && usesMarked(d.Expression, d.EvalContext) {
		c := *d
		c.Expression, c.EvalContext = nil, nil
		return &c, false
	}
	return d, false
}

func usesMarked(expr hcl.Expression, ctx *hcl.EvalContext) bool {
	for _, tr := range expr.Variables() {
		if v, diags := tr.TraverseAbs(ctx); !diags.HasErrors() && v.ContainsMarked() {
			return true
		}
	}
	return false
}
