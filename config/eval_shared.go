package config

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// sharedEval is one for_each expression's evaluation, kept when the
// expression does not refer to each: then every instance gets the same
// value and diagnostics, and a reason or only_in_states list is evaluated
// once per block instead of once per id (100,000 times for a large
// incident list). The policy's functions are pure within one load (env
// and file read fixed inputs), so the value cannot differ by instance.
type sharedEval struct {
	usesEach  bool
	refsClean bool // checkRefs found nothing: an each expression need not be checked again
	done      bool
	v         cty.Value
	diags     hcl.Diagnostics
	// eachAttr is "key" or "value" when the expression is just each.key
	// or each.value (call_id = each.value): its value is the instance's
	// own, read without building an evaluation context per instance.
	eachAttr string
	// str and list are a shared expression's evalString and
	// evalStringList results: converted once, not once per instance.
	str  *sharedString
	list *sharedList
}

type sharedString struct {
	s     string
	ok    bool
	diags hcl.Diagnostics
}

type sharedList struct {
	list   []string
	ranges []hcl.Range
	ok     bool
	diags  hcl.Diagnostics
}

// eachAttrOf is "key" or "value" for the expression each.key or
// each.value, else "".
func eachAttrOf(expr hcl.Expression) string {
	st, ok := expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(st.Traversal) != 2 || st.Traversal.RootName() != "each" {
		return ""
	}
	if a, ok := st.Traversal[1].(hcl.TraverseAttr); ok && (a.Name == "key" || a.Name == "value") {
		return a.Name
	}
	return ""
}

// sharedFor is expr's evaluation when it is the same for every instance
// and has been made, else nil.
func (ld *loadRun) sharedFor(expr hcl.Expression, e *each) *sharedEval {
	if e == nil || ld.shared == nil {
		return nil
	}
	if s := ld.shared[expr]; s != nil && !s.usesEach && s.done {
		return s
	}
	return nil
}

// eval checks expr's references, then evaluates it. A reference error
// skips evaluation, so that one mistake yields one diagnostic. The
// returned value is unknown when evaluation was skipped or failed.
func (ld *loadRun) eval(expr hcl.Expression, e *each) (cty.Value, hcl.Diagnostics) {
	// Only syntax-tree nodes are pointers that are safe as map keys.
	if _, node := expr.(hclsyntax.Expression); e == nil || !node {
		return ld.evalExpr(expr, e)
	}
	if ld.shared == nil {
		ld.shared = map[hcl.Expression]*sharedEval{}
	}
	s := ld.shared[expr]
	if s == nil {
		s = &sharedEval{}
		for _, tr := range expr.Variables() {
			if tr.RootName() == "each" {
				s.usesEach = true
				break
			}
		}
		if s.usesEach {
			s.eachAttr = eachAttrOf(expr)
		}
		ld.shared[expr] = s
	}
	if s.usesEach && s.refsClean {
		// What evalExpr does after checkRefs, which depends only on
		// the expression and was clean for the first instance.
		switch s.eachAttr {
		case "value":
			return e.value, nil
		case "key":
			return cty.StringVal(e.key), nil
		}
		v, diags := expr.Value(ld.evalContext(e))
		if diags.HasErrors() {
			return cty.DynamicVal, diags
		}
		return v, diags
	}
	if s.usesEach {
		s.refsClean = len(ld.checkRefs(expr, true)) == 0
		return ld.evalExpr(expr, e)
	}
	if !s.done {
		s.v, s.diags = ld.evalExpr(expr, e)
		s.done = true
	}
	// Clipped, so that a caller's append never writes into the shared
	// array.
	return s.v, slices.Clip(s.diags)
}
