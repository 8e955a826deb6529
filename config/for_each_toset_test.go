package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// evalForEach may skip building a set for toset(LIST); the instances, or
// the diagnostics, must be exactly those of the ordinary evaluation.
func TestEvalForEachMatchesToset(t *testing.T) {
	list := cty.ListVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a"), cty.StringVal("b")})
	for _, src := range []string{
		`toset(["b", "a", "b", "c"])`,
		`toset(var.ids)`,
		`toset([])`,
		`toset(["a", 1])`,         // toset converts the number: ordinary path
		`toset(["a", null])`,      // refused by toset
		`toset(["a", var.nope])`,  // undeclared
		`toset(var.ids, var.ids)`, // wrong arity
		`toset(var.ids...)`,
		`tolist(var.ids)`,
		`var.ids`,
	} {
		t.Run(src, func(t *testing.T) {
			expr, diags := hclsyntax.ParseExpression([]byte(src), "x.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			ld := &loadRun{
				vars:   map[string]*variableDecl{"ids": {name: "ids"}},
				varVal: cty.ObjectVal(map[string]cty.Value{"ids": list}),
			}
			type result struct {
				Keys, Values []string
				OK           bool
				Summaries    []string
			}
			run := func(v cty.Value, diags hcl.Diagnostics) result {
				var r result
				if !diags.HasErrors() {
					var instances []*each
					var more hcl.Diagnostics
					instances, r.OK, more = ld.forEachInstances(v, expr.Range())
					diags = append(diags, more...)
					for _, e := range instances {
						r.Keys = append(r.Keys, e.key)
						r.Values = append(r.Values, e.value.GoString())
					}
				}
				for _, d := range diags {
					r.Summaries = append(r.Summaries, d.Summary+": "+d.Detail)
				}
				return r
			}
			// The first three take the shortcut: no set is built.
			shortcut := src == `toset(["b", "a", "b", "c"])` || src == `toset(var.ids)` || src == `toset([])`
			fast, _ := ld.evalForEach(expr)
			slow, _ := ld.eval(expr, nil)
			if took := !fast.Type().Equals(slow.Type()); took != shortcut {
				t.Errorf("evalForEach gave %s, ordinary %s; shortcut expected: %v",
					fast.Type().FriendlyName(), slow.Type().FriendlyName(), shortcut)
			}
			want := run(ld.eval(expr, nil))
			got := run(ld.evalForEach(expr))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-ordinary +evalForEach):\n%s", diff)
			}
		})
	}
}
