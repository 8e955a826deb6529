package config

import (
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// A standing policy selects its calls with a for expression over an
// inventory's records. HCL evaluates a for expression as a whole, so one
// malformed record (a placed_at timecmp rejects, say) would fail the
// whole end_call block and no good call would end. evalForElements
// evaluates such a for_each element by element instead: an element whose
// condition, key or value fails is left out and reported on its own,
// naming the record; the others make up the value exactly as HCL would.

// recordFailure is one element of a for_each for expression that failed.
type recordFailure struct {
	record string // names the record: "record 3 of data.inventory.x (calls.jsonl)"
	key    string // the instance key, when the key expression gave one
	hasKey bool
	diags  hcl.Diagnostics
}

// forElements is the result of evalForElements.
type forElements struct {
	value    cty.Value
	failures []*recordFailure
	// recordOf is each key's record index, for errors later in the
	// instance's own attributes; nil for a tuple result. Names are made
	// only for failures: with 100,000 records a string each would cost.
	recordOf map[string]int
	source   string // the collection, for recordName
}

// recordName names record i of the collection in a diagnostic.
func (f forElements) recordName(i int) string {
	return fmt.Sprintf("record %d of %s", i, f.source)
}

// evalForElements evaluates a for expression the way hclsyntax.ForExpr
// does, but with errors per element. Errors that do not belong to one
// element (in the collection, or a null or non-iterable one) are
// returned as diagnostics, as HCL returns them.
func (ld *loadRun) evalForElements(fe *hclsyntax.ForExpr) (forElements, hcl.Diagnostics) {
	out := forElements{value: cty.DynamicVal}
	diags := ld.checkRefs(fe, false)
	if diags.HasErrors() {
		return out, diags
	}
	ctx := ld.evalContext(nil)
	coll, collDiags := fe.CollExpr.Value(ctx)
	diags = append(diags, redactEvalDiags(collDiags, fe.CollExpr, ctx)...)
	if collDiags.HasErrors() {
		return out, diags
	}
	if coll.IsNull() {
		return out, append(diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Iteration over null value",
			Detail:      "A null value cannot be used as the collection in a 'for' expression.",
			Subject:     fe.CollExpr.Range().Ptr(),
			Context:     fe.Range().Ptr(),
			Expression:  fe.CollExpr,
			EvalContext: ctx,
		})
	}
	coll, marks := coll.Unmark()
	if coll.Type() == cty.DynamicPseudoType || !coll.IsKnown() {
		return out, diags
	}
	if !coll.CanIterateElements() {
		return out, append(diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Iteration over non-iterable value",
			Detail:      fmt.Sprintf("A value of type %s cannot be used as the collection in a 'for' expression.", coll.Type().FriendlyName()),
			Subject:     fe.CollExpr.Range().Ptr(),
			Context:     fe.Range().Ptr(),
			Expression:  fe.CollExpr,
			EvalContext: ctx,
		})
	}
	out.source = ld.describeCollection(fe.CollExpr)

	known := true
	objVals := map[string]cty.Value{}
	groups := map[string][]cty.Value{}
	firstOf := map[string]int{}
	var tupleVals []cty.Value
	if fe.KeyExpr != nil {
		out.recordOf = map[string]int{}
	}
	i := 0
	for it := coll.ElementIterator(); it.Next(); i++ {
		k, v := it.Element()
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{}
		if fe.KeyVar != "" {
			child.Variables[fe.KeyVar] = k
		}
		child.Variables[fe.ValVar] = v
		fail := func(key string, hasKey bool, ds hcl.Diagnostics) {
			out.failures = append(out.failures, &recordFailure{record: out.recordName(i), key: key, hasKey: hasKey, diags: ds})
		}

		if fe.CondExpr != nil {
			cond, ds := fe.CondExpr.Value(child)
			if ds.HasErrors() {
				fail("", false, redactEvalDiags(ds, fe.CondExpr, child))
				continue
			}
			if cond.IsNull() {
				fail("", false, elementDiag(fe.CondExpr, fe, child, "Condition value is null", "The value of the 'if' clause must not be null."))
				continue
			}
			cond, err := convert.Convert(cond, cty.Bool)
			if err != nil {
				fail("", false, elementDiag(fe.CondExpr, fe, child, "Invalid 'for' condition", fmt.Sprintf("The 'if' clause value is invalid: %s.", err)))
				continue
			}
			if !cond.IsKnown() {
				known = false
				continue
			}
			cond, condMarks := cond.Unmark()
			if cond.False() {
				continue
			}
			marks = mergeMarks(marks, condMarks)
		}

		if fe.KeyExpr == nil {
			val, ds := fe.ValExpr.Value(child)
			if ds.HasErrors() {
				fail("", false, redactEvalDiags(ds, fe.ValExpr, child))
				continue
			}
			tupleVals = append(tupleVals, val)
			continue
		}

		key, ds := fe.KeyExpr.Value(child)
		if ds.HasErrors() {
			fail("", false, redactEvalDiags(ds, fe.KeyExpr, child))
			continue
		}
		if key.IsNull() {
			fail("", false, elementDiag(fe.KeyExpr, fe, child, "Invalid object key", "Key expression in 'for' expression must not produce a null value."))
			continue
		}
		if !key.IsKnown() {
			known = false
			continue
		}
		key, keyMarks := key.Unmark()
		key, err := convert.Convert(key, cty.String)
		if err != nil {
			fail("", false, elementDiag(fe.KeyExpr, fe, child, "Invalid object key", fmt.Sprintf("The key expression produced an invalid result: %s.", err)))
			continue
		}
		marks = mergeMarks(marks, keyMarks)
		ks := key.AsString()

		val, ds := fe.ValExpr.Value(child)
		if ds.HasErrors() {
			fail(ks, true, redactEvalDiags(ds, fe.ValExpr, child))
			continue
		}
		if fe.Group {
			groups[ks] = append(groups[ks], val)
			if _, seen := firstOf[ks]; !seen {
				firstOf[ks] = i
				out.recordOf[ks] = i
			}
			continue
		}
		if first, dup := firstOf[ks]; dup {
			// Two records claim one call: keep the first, fail the
			// other, as HCL would fail both (and the whole block).
			fail(ks, true, elementDiag(fe.KeyExpr, fe, child, "Duplicate object key",
				fmt.Sprintf("Two different items produced the key %q in this 'for' expression: %s and %s. The first is kept. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.", ks, out.recordName(first), out.recordName(i))))
			continue
		}
		firstOf[ks] = i
		out.recordOf[ks] = i
		objVals[ks] = val
	}

	switch {
	case !known:
		out.value = cty.DynamicVal
	case fe.KeyExpr == nil:
		out.value = cty.TupleVal(tupleVals)
	case fe.Group:
		for k, vs := range groups {
			objVals[k] = cty.TupleVal(vs)
		}
		out.value = cty.ObjectVal(objVals)
	default:
		out.value = cty.ObjectVal(objVals)
	}
	if len(marks) > 0 {
		out.value = out.value.WithMarks(marks)
	}
	return out, diags
}

// elementDiag is one element's error about the for expression itself.
func elementDiag(expr hcl.Expression, fe *hclsyntax.ForExpr, ctx *hcl.EvalContext, summary, detail string) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity:    hcl.DiagError,
		Summary:     summary,
		Detail:      detail,
		Subject:     expr.Range().Ptr(),
		Context:     fe.Range().Ptr(),
		Expression:  expr,
		EvalContext: ctx,
	}}
}

func mergeMarks(a, b cty.ValueMarks) cty.ValueMarks {
	if len(b) == 0 {
		return a
	}
	if a == nil {
		a = cty.NewValueMarks()
	}
	for m := range b {
		a[m] = struct{}{}
	}
	return a
}

// describeCollection names a for expression's collection for a record's
// diagnostic: the data source with its file or command, else the
// expression's source text.
func (ld *loadRun) describeCollection(expr hcl.Expression) string {
	if tr, diags := hcl.AbsTraversalForExpr(expr); !diags.HasErrors() && tr.RootName() == "data" && len(tr) >= 3 {
		typ, ok1 := tr[1].(hcl.TraverseAttr)
		name, ok2 := tr[2].(hcl.TraverseAttr)
		if ok1 && ok2 {
			addr := "data." + typ.Name + "." + name.Name
			if ds := ld.dataByAddr[addr]; ds != nil && ds.Source != "" {
				if ds.Command {
					return fmt.Sprintf("%s (command %q)", addr, ds.Source)
				}
				return fmt.Sprintf("%s (file %s)", addr, ds.Source)
			}
			return addr
		}
	}
	return shortRange(expr.Range())
}

// failRecord records a failed for_each element, its diagnostics'
// details prefixed with the record and the instance address.
func (ld *loadRun) failRecord(name, key string, hasKey bool, record string, diags hcl.Diagnostics) {
	f := &FailedCall{Address: "end_call." + name, Name: name, Record: record}
	if hasKey {
		f.Key = key
		f.Address += "[" + quoteKey(key) + "]"
	}
	for _, d := range diags {
		c := *d
		if c.Severity == hcl.DiagError {
			c.Summary = fmt.Sprintf("%s (%s, %s)", c.Summary, f.Address, record)
			c.Detail = fmt.Sprintf("%s\n\nOnly %s, from %s, fails: the other calls go ahead. Fix the record, or leave it out with the for expression's if clause.", c.Detail, f.Address, record)
		}
		f.Diagnostics = append(f.Diagnostics, &c)
	}
	ld.failed = append(ld.failed, f)
}

// unmarkLocal does for a local's per-element value what eval does for
// any value: the mark is recorded against the expression, then dropped.
func (ld *loadRun) unmarkLocal(v cty.Value, expr hcl.Expression) cty.Value {
	if !ld.anyMarked {
		return v
	}
	v, pvm := v.UnmarkDeepWithPaths()
	if len(pvm) > 0 {
		if ld.sensitiveExprs == nil {
			ld.sensitiveExprs = map[hcl.Expression]bool{}
		}
		ld.sensitiveExprs[expr] = true
	}
	return v
}

// localForElements returns the per-element result of the local a
// for_each names as a whole (for_each = local.stale), marking it claimed;
// nil for any other expression.
func (ld *loadRun) localForElements(expr hcl.Expression) *forElements {
	tr, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() || len(tr) != 2 || tr.RootName() != "local" {
		return nil
	}
	step, ok := tr[1].(hcl.TraverseAttr)
	if !ok || ld.localElements[step.Name] == nil {
		return nil
	}
	if ld.claimedLocals == nil {
		ld.claimedLocals = map[string]bool{}
	}
	ld.claimedLocals[step.Name] = true
	return ld.localElements[step.Name]
}

// unclaimedLocalFailures are the failed records of per-element locals no
// for_each took as a whole: used elsewhere, a record left out could
// change what another expression means, so they stay errors.
func (ld *loadRun) unclaimedLocalFailures() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range slices.Sorted(maps.Keys(ld.localElements)) {
		if ld.claimedLocals[name] {
			continue
		}
		for _, f := range ld.localElements[name].failures {
			for _, d := range f.diags {
				c := *d
				if c.Severity == hcl.DiagError {
					c.Summary = fmt.Sprintf("%s (local.%s, %s)", c.Summary, name, f.record)
					c.Detail += fmt.Sprintf("\n\nA record fails alone only when an end_call's for_each is the for expression itself, or the local holding it (for_each = local.%s).", name)
				}
				diags = append(diags, &c)
			}
		}
	}
	return diags
}
