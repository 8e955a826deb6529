package config

import (
	"fmt"
	"reflect"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// exchangeRefType is the type of exchange.NAME inside a selecting
// expression such as
//
//	exchange = each.value.site == "lon" ? exchange.lon : exchange.corp
//
// A capsule, so that an expression cannot pass a string off as an
// exchange: only a reference to a declared exchange block yields one.
var exchangeRefType = cty.Capsule("exchange", reflect.TypeFor[string]())

// isExchangeSelection reports whether an exchange argument is an
// expression that picks among exchange references per instance, rather
// than one static reference (or a mistake exchangeRef explains better).
func isExchangeSelection(expr hcl.Expression) bool {
	if _, diags := hcl.AbsTraversalForExpr(expr); !diags.HasErrors() {
		return false
	}
	for _, tr := range expr.Variables() {
		if tr.RootName() == "exchange" {
			return true
		}
	}
	return false
}

// evalExchange evaluates a selecting exchange argument for one instance.
func (ld *loadRun) evalExchange(expr hcl.Expression, e *each, exchanges map[string]*Exchange) (string, bool, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	for _, d := range ld.checkRefs(expr, e != nil) {
		if d.Summary != "Invalid reference to exchange" { // allowed here
			diags = append(diags, d)
		}
	}
	refs := map[string]cty.Value{}
	for _, tr := range expr.Variables() {
		if tr.RootName() != "exchange" {
			continue
		}
		name, moreDiags := exchangeRef(&hclsyntax.ScopeTraversalExpr{Traversal: tr, SrcRange: tr.SourceRange()}, exchanges)
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() {
			refs[name] = cty.CapsuleVal(exchangeRefType, &name)
		}
	}
	if diags.HasErrors() {
		return "", false, diags
	}
	parent := ld.evalContext(e)
	ctx := parent.NewChild()
	ctx.Variables = map[string]cty.Value{"exchange": cty.ObjectVal(refs)}
	v, moreDiags := expr.Value(ctx)
	diags = append(diags, moreDiags...)
	switch {
	case moreDiags.HasErrors():
		return "", false, diags
	case !v.IsKnown():
		return "", false, diags // from a failed variable, reported already
	case v.IsNull() || v.Type() != exchangeRefType:
		return "", false, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid exchange reference",
			Detail:   fmt.Sprintf("The exchange argument must evaluate to a reference to an exchange block, such as exchange.corp, but here it is %s. Make every branch of the expression an exchange reference.", friendlyValue(v)),
			Subject:  expr.Range().Ptr(),
		})
	}
	return *(v.EncapsulatedValue().(*string)), true, diags
}

func friendlyValue(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return v.Type().FriendlyName()
}
