package config

import (
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// givenValues adds LoadOptions.Values to vals, above every other source.
// An undeclared name is an error: a test or a saved plan that sets one
// was written for another policy.
func (ld *loadRun) givenValues(vals map[string]*rawValue) hcl.Diagnostics {
	var diags hcl.Diagnostics
	from := ld.opts.ValuesFrom
	if from == "" {
		from = "the given values"
	}
	for _, name := range slices.Sorted(maps.Keys(ld.opts.Values)) {
		if ld.vars[name] == nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail: fmt.Sprintf("%s sets %q, but the policy declares no variable of that name. Declare it with a variable block, or correct the name.%s",
					capitalizeFirst(from), name, didYouMean(name, mapKeys(ld.vars))),
			})
			continue
		}
		vals[name] = &rawValue{val: ld.opts.Values[name], source: from}
	}
	return diags
}

func capitalizeFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Scope evaluates expressions as a policy's top-level blocks see them:
// var, local and data, with the policy's functions and its fixed
// plantimestamp(). Values derived from sensitive variables keep their
// mark (see IsSensitive).
type Scope struct{ ld *loadRun }

// EvalContext returns a new evaluation context over the policy's values;
// callers may add variables of their own (plan, apply) to it.
func (s *Scope) EvalContext() *hcl.EvalContext {
	ld := s.ld
	base := ld.evalContext(nil)
	vars := maps.Clone(base.Variables)
	if ld.localVals != nil && len(ld.sensitiveExprs) > 0 {
		// eval unmarked the locals; mark again those that were
		// sensitive, so that no caller prints them.
		locals := maps.Clone(ld.localVals)
		for name, decl := range ld.locals {
			if ld.sensitiveExprs[decl.attr.Expr] {
				locals[name] = locals[name].Mark(sensitiveMark)
			}
		}
		vars["local"] = cty.ObjectVal(locals)
	}
	return &hcl.EvalContext{Variables: vars, Functions: base.Functions}
}

// Eval checks expr's references to var, local and data (an undeclared
// name gets did-you-mean) and evaluates it, with extra naming further
// top-level objects (a test's plan and apply). The value keeps its marks.
func (s *Scope) Eval(expr hcl.Expression, extra map[string]cty.Value) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	for _, d := range s.ld.checkRefs(expr, false) {
		if d.Subject != nil && s.extraRoot(expr, *d.Subject, extra) {
			continue
		}
		diags = append(diags, d)
	}
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	ctx := s.EvalContext()
	maps.Copy(ctx.Variables, extra)
	v, moreDiags := expr.Value(ctx)
	return v, append(diags, redactEvalDiags(moreDiags, expr, ctx)...)
}

// extraRoot says the traversal at rng starts with one of extra's names.
func (s *Scope) extraRoot(expr hcl.Expression, rng hcl.Range, extra map[string]cty.Value) bool {
	for _, tr := range expr.Variables() {
		if _, ok := extra[tr.RootName()]; ok && tr.SourceRange() == rng {
			return true
		}
	}
	return false
}

// ParseExpression parses one expression, with the policy's nesting limit.
func ParseExpression(src []byte, filename string) (hcl.Expression, hcl.Diagnostics) {
	return parseExpression(src, filename)
}

// IsSensitive reports whether v, or any part of it, derives from a
// sensitive value.
func IsSensitive(v cty.Value) bool {
	return v.ContainsMarked()
}

// deferBlock records an end_call block whose instances, or call id, are
// not known while loading: validate and console say so instead of
// counting no call.
func (ld *loadRun) deferBlock(addr string) {
	if !slices.Contains(ld.deferred, addr) {
		ld.deferred = append(ld.deferred, addr)
	}
}

// callIDUnknown says the call id evaluates to a value not known yet (an
// unset variable offline), rather than failing.
func callIDUnknown(ld *loadRun, attr *hcl.Attribute, e *each) bool {
	if attr == nil || !(ld.opts.Offline || ld.opts.UnsetUnknown || ld.dataUnknown) {
		return false
	}
	v, diags := ld.eval(attr.Expr, e)
	return !diags.HasErrors() && !v.IsWhollyKnown()
}

// ParseFile parses an HCL file other than policy (a test file) with the
// policy's limits: nesting is bounded before parsing, and diagnostics
// are capped.
func ParseFile(src []byte, filename string) (*hcl.File, hcl.Diagnostics) {
	_, f, diags := parseConfig(src, filename)
	return f, capDiags(diags)
}
