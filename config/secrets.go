package config

import (
	"github.com/callctl/callctl/authkind"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// A load collects every secret value it meets (sensitive variables,
// passwords and tokens, the environment variables those are read from)
// into loadRun.secrets, which Policy.Secrets exposes: text callctl did not
// write, such as an inventory command's standard error, is masked with it
// before it is shown.

// findSecretEnv records the environment variables that an auth block's
// secrets (authkind.SecretNames: password, token) read through env(), such as CALLCTL_PASSWORD or
// EWS_TOKEN, and adds their values to the secrets: they are credentials,
// withheld from inventory commands and masked in what those print.
func (ld *loadRun) findSecretEnv(exchanges []*hcl.Block) {
	ld.secretEnv = map[string]bool{}
	eachSecretAttribute(exchanges, func(attr *hclsyntax.Attribute) {
		_ = hclsyntax.VisitAll(attr.Expr, func(n hclsyntax.Node) hcl.Diagnostics {
			call, ok := n.(*hclsyntax.FunctionCallExpr)
			if !ok || call.Name != "env" || len(call.Args) == 0 {
				return nil
			}
			v, diags := call.Args[0].Value(nil)
			if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !v.Type().Equals(cty.String) {
				return nil
			}
			ld.secretEnv[v.AsString()] = true
			ld.secrets.Add(ld.environ[v.AsString()])
			return nil
		})
	})
}

// eachSecretAttribute calls fn with every secret argument (authkind.SecretNames:
// password, token) written in an auth block of the exchanges, before any
// of them is evaluated.
func eachSecretAttribute(exchanges []*hcl.Block, fn func(*hclsyntax.Attribute)) {
	for _, ex := range exchanges {
		body, ok := ex.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		for _, b := range body.Blocks {
			if b.Type != "auth" {
				continue
			}
			for _, name := range authkind.SecretNames() {
				if attr, ok := b.Body.Attributes[name]; ok {
					fn(attr)
				}
			}
		}
	}
}

// addSecretValue adds every string and number inside v, a sensitive
// variable's value, to the secrets.
func (ld *loadRun) addSecretValue(v cty.Value) {
	v, _ = v.UnmarkDeep()
	if v.IsNull() || !v.IsKnown() {
		return
	}
	switch ty := v.Type(); {
	case ty == cty.String:
		ld.secrets.Add(v.AsString())
	case ty == cty.Number:
		ld.secrets.Add(v.AsBigFloat().Text('f', -1))
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			_, el := it.Element()
			ld.addSecretValue(el)
		}
	}
}
