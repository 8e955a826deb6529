package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// localDecl is one named value of a locals block.
type localDecl struct {
	attr  *hcl.Attribute
	state int // 0 not visited, 1 being evaluated, 2 done
}

// decodeLocals evaluates every locals block's values, each after the
// locals it refers to, and builds the local object. A value that fails,
// or that is part of a cycle, is unknown, so that expressions using it are
// skipped instead of repeating the error.
func (ld *loadRun) decodeLocals(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	ld.locals = map[string]*localDecl{}
	var order []string
	for _, b := range blocks {
		attrs, moreDiags := b.Body.JustAttributes()
		diags = append(diags, moreDiags...)
		for _, attr := range sortedAttrs(attrs) {
			if first, dup := ld.locals[attr.Name]; dup {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate local value definition",
					Detail: fmt.Sprintf("A local value named %q was already defined at %s. Local value names must be unique within a policy.",
						attr.Name, shortRange(first.attr.NameRange)),
					Subject: attr.NameRange.Ptr(),
				})
				continue
			}
			if !hclsyntax.ValidIdentifier(attr.Name) {
				continue // HCL's parser has already said so
			}
			ld.locals[attr.Name] = &localDecl{attr: attr}
			order = append(order, attr.Name)
		}
	}
	ld.localVals = make(map[string]cty.Value, len(order))
	for _, name := range order {
		ld.localVals[name] = cty.DynamicVal
	}
	for _, name := range order {
		diags = append(diags, ld.evalLocal(name, nil)...)
	}
	return diags
}

// evalLocal evaluates a local after those it refers to, depth first;
// path is the chain being evaluated, for the cycle message.
func (ld *loadRun) evalLocal(name string, path []string) hcl.Diagnostics {
	decl := ld.locals[name]
	switch decl.state {
	case 2:
		return nil
	case 1:
		start := 0
		for i, n := range path {
			if n == name {
				start = i
			}
		}
		cycle := append(append([]string{}, path[start:]...), name)
		for i, n := range cycle {
			cycle[i] = "local." + n
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cycle in local values",
			Detail: fmt.Sprintf("The local value %q refers to itself through %s. Break the cycle by computing one of them without the others.",
				name, strings.Join(cycle, " -> ")),
			Subject: decl.attr.NameRange.Ptr(),
		}}
	}
	decl.state = 1
	path = append(path, name)
	var diags hcl.Diagnostics
	refs := map[string]cty.Value{}
	for _, tr := range decl.attr.Expr.Variables() {
		if tr.RootName() != "local" || len(tr) < 2 {
			continue
		}
		if step, ok := tr[1].(hcl.TraverseAttr); ok && ld.locals[step.Name] != nil {
			diags = append(diags, ld.evalLocal(step.Name, path)...)
			refs[step.Name] = cty.DynamicVal
		}
	}
	decl.state = 2
	if diags.HasErrors() {
		ld.localsFailed = true
		return diags // a cycle or a failed dependency: stays unknown
	}
	for n := range refs {
		refs[n] = ld.localVals[n]
	}
	ld.localScope = cty.ObjectVal(refs)
	var v cty.Value
	var moreDiags hcl.Diagnostics
	if fe, ok := decl.attr.Expr.(*hclsyntax.ForExpr); ok {
		// Record by record, like a for_each for expression: an end_call
		// whose for_each is this local fails the bad records alone
		// (claimLocalElements); otherwise they are errors after all.
		var els forElements
		els, moreDiags = ld.evalForElements(fe)
		v = ld.unmarkLocal(els.value, decl.attr.Expr)
		if !moreDiags.HasErrors() {
			if ld.localElements == nil {
				ld.localElements = map[string]*forElements{}
			}
			ld.localElements[name] = &els
		}
	} else {
		v, moreDiags = ld.eval(decl.attr.Expr, nil)
	}
	ld.localScope = cty.NilVal
	diags = append(diags, moreDiags...)
	if moreDiags.HasErrors() {
		ld.localsFailed = true
	} else {
		ld.localVals[name] = v
		ld.localVal = cty.NilVal // rebuilt on next use
	}
	return diags
}

// localObject is the "local" object expressions see.
func (ld *loadRun) localObject() cty.Value {
	if ld.localScope != cty.NilVal {
		return ld.localScope
	}
	if ld.localVal == cty.NilVal {
		ld.localVal = cty.ObjectVal(ld.localVals)
	}
	return ld.localVal
}

// checkLocalRef reports a reference to an undeclared local value.
func (ld *loadRun) checkLocalRef(tr hcl.Traversal) hcl.Diagnostics {
	attr, ok := hcl.TraverseAttr{}, false
	if len(tr) > 1 {
		attr, ok = tr[1].(hcl.TraverseAttr)
	}
	switch {
	case !ok:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid reference",
			Detail:   `The "local" object must be followed by the name of a local value, like local.cutoff.`,
			Subject:  tr.SourceRange().Ptr(),
		}}
	case ld.locals == nil:
		// Exchange blocks are decoded before the locals, so that an auth
		// block's secret cannot pass through a local unseen.
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Local value not allowed here",
			Detail: fmt.Sprintf("local.%s cannot be used in an exchange block: local values are for end_call and protect blocks. Use a variable or write the expression here.",
				attr.Name),
			Subject: tr.SourceRange().Ptr(),
		}}
	case ld.locals[attr.Name] == nil:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Reference to undeclared local value",
			Detail: fmt.Sprintf("A local value named %q has not been declared. Declare it in a locals block, or correct the name.%s",
				attr.Name, didYouMean(attr.Name, mapKeys(ld.locals))),
			Subject: tr.SourceRange().Ptr(),
		}}
	}
	return nil
}

// sortedAttrs orders a body's attributes as written.
func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hcl.Attribute) int { return a.Range.Start.Byte - b.Range.Start.Byte })
	return out
}

// scopeVariables adds data and local to an evaluation scope, and makes
// each unknown in a deferred instance.
func (ld *loadRun) scopeVariables(vars map[string]cty.Value, e *each) {
	if e != nil && e.deferred {
		vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String), "value": cty.DynamicVal})
	}
	if ld.dataVal != cty.NilVal {
		vars["data"] = ld.dataVal
	}
	if ld.localVals != nil {
		vars["local"] = ld.localObject()
	}
}
