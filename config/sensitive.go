package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// sensitiveMark is the cty value mark a sensitive value carries while it
// moves through expressions. cty's functions and operators carry marks
// from their arguments to their results, as in Terraform, so base64 of a
// secret is a secret too. Values lose the mark only in eval, where they
// leave expressions for the policy's Go structures, and eval records that
// it did (see loadRun.sensitiveExprs).
const sensitiveMark = valueMark("sensitive")

type valueMark string

// SecretInSource is the Extra of a diagnostic whose Subject points at a
// secret written in a policy file. Renderers must not quote the source
// lines of such a diagnostic; they may print the file and line.
type SecretInSource struct{}

// HidesSource reports that the diagnostic's source must not be quoted.
// Renderers look for this method rather than the type, so that they need
// not import this package.
func (SecretInSource) HidesSource() bool { return true }

// sensitiveRefs returns the references in expr, such as "var.pw", whose
// values under ctx carry a mark, sorted and without duplicates.
func sensitiveRefs(expr hcl.Expression, ctx *hcl.EvalContext) []string {
	var names []string
	for _, tr := range expr.Variables() {
		v, diags := tr.TraverseAbs(ctx)
		if diags.HasErrors() || !v.ContainsMarked() {
			continue
		}
		names = append(names, traversalString(tr))
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// traversalString renders a root.attr traversal; index steps are left out,
// which is enough to name a variable.
func traversalString(tr hcl.Traversal) string {
	var b strings.Builder
	b.WriteString(tr.RootName())
	for _, step := range tr[1:] {
		if a, ok := step.(hcl.TraverseAttr); ok {
			b.WriteString("." + a.Name)
		}
	}
	return b.String()
}

// redactEvalDiags hides what evaluating expr said about sensitive values.
// A function's error text often quotes its argument ("cannot read
// \"hunter2\"", "invalid character 'h'"), so the detail of a function
// error whose expression reads a sensitive value is replaced. HCL itself
// never prints marked values in its "with var.x as ..." lines; renderers
// strip the evaluation context as well, in case a value nests a mark.
func redactEvalDiags(diags hcl.Diagnostics, expr hcl.Expression, ctx *hcl.EvalContext) hcl.Diagnostics {
	if len(diags) == 0 {
		return diags
	}
	refs := sensitiveRefs(expr, ctx)
	if len(refs) == 0 {
		return diags
	}
	out := make(hcl.Diagnostics, 0, len(diags))
	for _, d := range diags {
		if d.Summary == "Error in function call" || d.Summary == "Invalid function argument" {
			c := *d
			what, _, _ := strings.Cut(d.Detail, ":")
			c.Detail = fmt.Sprintf("%s. The reason is not shown because the arguments use the sensitive value %s, which it could reveal. Check that value.",
				strings.TrimSuffix(what, "."), strings.Join(refs, ", "))
			d = &c
		}
		out = append(out, d)
	}
	return out
}

// findSecretVars records the variables that an auth block's secrets
// (password, token: authkind.SecretNames) read, before any variable is resolved, so that their values are
// marked sensitive like declared ones: a secret is a secret whatever its
// declaration, and must not be shown or kept in a saved plan.
func (ld *loadRun) findSecretVars(exchanges []*hcl.Block) {
	ld.secretVars = map[string]bool{}
	eachSecretAttribute(exchanges, func(attr *hclsyntax.Attribute) {
		for _, tr := range attr.Expr.Variables() {
			if tr.RootName() != "var" || len(tr) < 2 {
				continue
			}
			if a, ok := tr[1].(hcl.TraverseAttr); ok {
				ld.secretVars[a.Name] = true
			}
		}
	})
}

// hideSecretLines marks every diagnostic whose quoted source would include
// a line holding a literal secret, such as the "Credentials over plain
// HTTP" error on a one-line auth "bearer" { token = "..." } block, so
// that renderers print its location but not its source.
func hideSecretLines(diags hcl.Diagnostics, secrets []hcl.Range) hcl.Diagnostics {
	if len(secrets) == 0 {
		return diags
	}
	quotes := func(r *hcl.Range, secret hcl.Range) bool {
		return r != nil && r.Filename == secret.Filename &&
			r.Start.Line <= secret.End.Line && secret.Start.Line <= r.End.Line
	}
	for i, d := range diags {
		if d.Extra != nil {
			continue
		}
		for _, sec := range secrets {
			if quotes(d.Subject, sec) || quotes(d.Context, sec) {
				c := *d
				c.Extra = SecretInSource{}
				diags[i] = &c
				break
			}
		}
	}
	return diags
}
