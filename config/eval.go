package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// each is the each object of one for_each instance; nil outside for_each.
type each struct {
	key   string
	value cty.Value
	ctx   *hcl.EvalContext // built on first use, shared by the block's attributes

	deferred bool // stands for instances not known yet (scopeVariables)
}

// evalContext is the scope of a block's expressions: var, the functions,
// and each inside a for_each block.
func (ld *loadRun) evalContext(e *each) *hcl.EvalContext {
	if e != nil && e.ctx != nil {
		return e.ctx
	}
	vars := map[string]cty.Value{"var": ld.varVal}
	if e != nil {
		vars["each"] = cty.ObjectVal(map[string]cty.Value{
			"key":   cty.StringVal(e.key),
			"value": e.value,
		})
	}
	if ld.funcs == nil {
		ld.funcs = ld.functions()
		maps.Copy(ld.funcs, ld.timeFunctions())
	}
	ld.scopeVariables(vars, e)
	ctx := &hcl.EvalContext{Variables: vars, Functions: ld.funcs}
	if e != nil {
		e.ctx = ctx
	}
	return ctx
}

// evalExpr is eval (eval_shared.go) without the sharing.
func (ld *loadRun) evalExpr(expr hcl.Expression, e *each) (cty.Value, hcl.Diagnostics) {
	diags := ld.checkRefs(expr, e != nil)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	ctx := ld.evalContext(e)
	v, moreDiags := expr.Value(ctx)
	diags = append(diags, redactEvalDiags(moreDiags, expr, ctx)...)
	if moreDiags.HasErrors() {
		return cty.DynamicVal, diags
	}
	// The value leaves expressions here, for Go strings and lists that
	// cannot carry marks: record that it was sensitive.
	if !ld.anyMarked {
		return v, diags
	}
	v, pvm := v.UnmarkDeepWithPaths()
	if len(pvm) > 0 {
		if ld.sensitiveExprs == nil {
			ld.sensitiveExprs = map[hcl.Expression]bool{}
		}
		ld.sensitiveExprs[expr] = true
	}
	return v, diags
}

// isSensitive reports whether attr's value was derived from a sensitive
// one, so that a diagnostic about the value must not quote it.
func (ld *loadRun) isSensitive(attr *hcl.Attribute) bool {
	return ld.sensitiveExprs[attr.Expr]
}

// checkRefs reports references a policy expression may not make, with
// better words than HCL's "Unsupported attribute" on a missing var.
func (ld *loadRun) checkRefs(expr hcl.Expression, inForEach bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tr := range expr.Variables() {
		rng := tr.SourceRange().Ptr()
		attr, hasAttr := hcl.TraverseAttr{}, false
		if len(tr) > 1 {
			attr, hasAttr = tr[1].(hcl.TraverseAttr)
		}
		switch root := tr.RootName(); root {
		case "var":
			if !hasAttr {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid reference",
					Detail:   `The "var" object must be followed by the name of a variable, like var.example.`,
					Subject:  rng,
				})
			} else if _, declared := ld.vars[attr.Name]; !declared {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Reference to undeclared input variable",
					Detail: fmt.Sprintf("An input variable named %q has not been declared. Declare it with a variable block, or correct the name.%s",
						attr.Name, didYouMean(attr.Name, mapKeys(ld.vars))),
					Subject: rng,
				})
			}
		case "each":
			switch {
			case !inForEach:
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  `Reference to "each" in context without for_each`,
					Detail:   `The "each" object can be used only in an end_call block that sets for_each.`,
					Subject:  rng,
				})
			case !hasAttr || (attr.Name != "key" && attr.Name != "value"):
				name := ""
				if hasAttr {
					name = attr.Name
				}
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  `Invalid "each" attribute`,
					Detail: `The "each" object has only the attributes "key" and "value".` +
						didYouMean(name, []string{"key", "value"}),
					Subject: rng,
				})
			}
		case "data":
			diags = append(diags, ld.checkDataRef(tr)...)
		case "local":
			diags = append(diags, ld.checkLocalRef(tr)...)
		case "exchange":
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid reference to exchange",
				Detail:   "A reference to an exchange block can be used only as the exchange argument of an end_call block.",
				Subject:  rng,
			})
		default:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown variable",
				Detail: fmt.Sprintf("There is no variable named %q. Expressions can refer to var.NAME, local.NAME, data.inventory.NAME.records, and to each.key and each.value in an end_call block that sets for_each.%s",
					root, didYouMean(root, []string{"var", "each", "local", "data"})),
				Subject: rng,
			})
		}
	}
	return diags
}

// evalString evaluates an attribute that must be a string. ok is false
// when there is no usable value; a diagnostic says why unless the cause
// was reported elsewhere (an unknown value from a failed variable).
func (ld *loadRun) evalString(attr *hcl.Attribute, e *each) (s string, ok bool, diags hcl.Diagnostics) {
	if sh := ld.sharedFor(attr.Expr, e); sh != nil && sh.str != nil {
		return sh.str.s, sh.str.ok, slices.Clip(sh.str.diags)
	}
	s, ok, diags = ld.evalStringOnce(attr, e)
	if sh := ld.sharedFor(attr.Expr, e); sh != nil {
		sh.str = &sharedString{s: s, ok: ok, diags: slices.Clip(diags)}
	}
	return s, ok, diags
}

func (ld *loadRun) evalStringOnce(attr *hcl.Attribute, e *each) (string, bool, hcl.Diagnostics) {
	v, diags := ld.eval(attr.Expr, e)
	v, ok, moreDiags := ld.convertAttr(attr, v, cty.String, diags.HasErrors())
	diags = append(diags, moreDiags...)
	if !ok {
		return "", false, diags
	}
	return v.AsString(), true, diags
}

// evalBool evaluates an attribute that must be a bool.
func (ld *loadRun) evalBool(attr *hcl.Attribute, e *each) (b, ok bool, diags hcl.Diagnostics) {
	v, diags := ld.eval(attr.Expr, e)
	v, ok, moreDiags := ld.convertAttr(attr, v, cty.Bool, diags.HasErrors())
	diags = append(diags, moreDiags...)
	if !ok {
		return false, false, diags
	}
	return v.True(), true, diags
}

// evalStringList evaluates an attribute that must be a list of strings,
// returning each element's source range when the expression is a literal
// list, else the whole expression's range, so that a diagnostic about one
// element can point at it.
func (ld *loadRun) evalStringList(attr *hcl.Attribute, e *each) ([]string, []hcl.Range, bool, hcl.Diagnostics) {
	// A list shared by every instance (only_in_states = ["Connected"]) is
	// converted once; its callers only read the slices.
	if sh := ld.sharedFor(attr.Expr, e); sh != nil && sh.list != nil {
		r := sh.list
		return r.list, r.ranges, r.ok, slices.Clip(r.diags)
	}
	list, ranges, ok, diags := ld.evalStringListOnce(attr, e)
	if sh := ld.sharedFor(attr.Expr, e); sh != nil {
		sh.list = &sharedList{list: slices.Clip(list), ranges: slices.Clip(ranges), ok: ok, diags: slices.Clip(diags)}
	}
	return list, ranges, ok, diags
}

func (ld *loadRun) evalStringListOnce(attr *hcl.Attribute, e *each) ([]string, []hcl.Range, bool, hcl.Diagnostics) {
	v, diags := ld.eval(attr.Expr, e)
	v, ok, moreDiags := ld.convertAttr(attr, v, cty.List(cty.String), diags.HasErrors())
	diags = append(diags, moreDiags...)
	if !ok {
		return nil, nil, false, diags
	}
	var elemRanges []hcl.Range
	if tuple, isTuple := attr.Expr.(*hclsyntax.TupleConsExpr); isTuple && len(tuple.Exprs) == v.LengthInt() {
		for _, ex := range tuple.Exprs {
			elemRanges = append(elemRanges, ex.Range())
		}
	}
	var list []string
	var ranges []hcl.Range
	for i, el := range v.AsValueSlice() {
		if el.IsNull() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value",
				Detail:   fmt.Sprintf("Element %d of the %s argument is null. Every element must be a string.", i, attr.Name),
				Subject:  attr.Expr.Range().Ptr(),
			})
			return nil, nil, false, diags
		}
		list = append(list, el.AsString())
		if elemRanges != nil {
			ranges = append(ranges, elemRanges[i])
		} else {
			ranges = append(ranges, attr.Expr.Range())
		}
	}
	return list, ranges, true, diags
}

// convertAttr converts an evaluated attribute to want. failed says the
// evaluation already reported an error.
func (ld *loadRun) convertAttr(attr *hcl.Attribute, v cty.Value, want cty.Type, failed bool) (cty.Value, bool, hcl.Diagnostics) {
	if failed {
		return cty.NilVal, false, nil
	}
	if !v.IsWhollyKnown() {
		// Only a variable that failed to resolve makes an unknown.
		return cty.NilVal, false, nil
	}
	if v.IsNull() {
		return cty.NilVal, false, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value",
			Detail:   fmt.Sprintf("The %s argument must not be null. Remove the argument, or give it a value.", attr.Name),
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	cv, err := convert.Convert(v, want)
	if err != nil {
		return cty.NilVal, false, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("Inappropriate value for argument %q: %s.", attr.Name, convertErrorText(err)),
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	return cv, true, nil
}

// convertErrorText renders a cty conversion error with the path to the
// offending element, as Terraform does.
func convertErrorText(err error) string {
	pe, ok := err.(cty.PathError)
	if !ok || len(pe.Path) == 0 {
		return err.Error()
	}
	var b strings.Builder
	for _, step := range pe.Path {
		switch s := step.(type) {
		case cty.GetAttrStep:
			fmt.Fprintf(&b, ".%s", s.Name)
		case cty.IndexStep:
			if s.Key.Type() == cty.String {
				fmt.Fprintf(&b, "[%q]", s.Key.AsString())
			} else if s.Key.Type() == cty.Number {
				fmt.Fprintf(&b, "[%s]", s.Key.AsBigFloat().Text('f', -1))
			}
		}
	}
	return fmt.Sprintf("element %s: %s", strings.TrimPrefix(b.String(), "."), pe.Error())
}

// isLiteralString reports whether expr is a string written out in the
// source: no references and no function calls, so it is the very text
// in the file.
func isLiteralString(expr hcl.Expression) bool {
	if len(expr.Variables()) > 0 {
		return false
	}
	switch e := expr.(type) {
	case *hclsyntax.LiteralValueExpr:
		return e.Val.Type() == cty.String
	case *hclsyntax.TemplateWrapExpr:
		return isLiteralString(e.Wrapped)
	case *hclsyntax.TemplateExpr:
		for _, part := range e.Parts {
			if !isLiteralString(part) {
				return false
			}
		}
		return true
	}
	return false
}

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
