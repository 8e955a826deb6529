package json

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

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
