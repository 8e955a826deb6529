package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// evalForEach evaluates a for_each expression. For the common
// `toset(LIST)` of known strings it returns LIST itself: a cty set is
// sorted by cty's generic comparison each time it is iterated, which for
// a 100,000-id incident list was half the cost of loading, while
// forEachInstances gives a list of strings the same treatment a set gets
// (duplicates dropped, keys in string order) with a plain string sort.
// Anything else, including every case in which toset would convert or
// refuse an element, goes the ordinary way.
func (ld *loadRun) evalForEach(expr hcl.Expression) (cty.Value, hcl.Diagnostics) {
	call, ok := expr.(*hclsyntax.FunctionCallExpr)
	if !ok || call.Name != "toset" || len(call.Args) != 1 || call.ExpandFinal || len(ld.checkRefs(expr, false)) > 0 {
		return ld.eval(expr, nil)
	}
	arg, diags := call.Args[0].Value(ld.evalContext(nil))
	if len(diags) > 0 || !knownStrings(arg) {
		return ld.eval(expr, nil)
	}
	return arg, nil
}

// knownStrings reports whether v is a known, unmarked list or tuple whose
// elements are all known, non-null strings.
func knownStrings(v cty.Value) bool {
	ty := v.Type()
	if !v.IsKnown() || v.IsNull() || v.IsMarked() || !(ty.IsListType() || ty.IsTupleType()) {
		return false
	}
	for it := v.ElementIterator(); it.Next(); {
		_, el := it.Element()
		if el.Type() != cty.String || !el.IsKnown() || el.IsNull() || el.IsMarked() {
			return false
		}
	}
	return true
}
