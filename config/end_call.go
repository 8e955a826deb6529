package config

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/callctl/callctl/vocab"
)

// validStates are the call states only_in_states may name, as both
// dialects spell them (see soap's State constants).
var validStates = vocab.States()

var endCallSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "for_each"},
		{Name: "exchange"},
		{Name: "call_id"},
		{Name: "reason"},
		{Name: "only_in_states"},
	},
}

// decodeEndCalls appends one Call per end_call instance to pol.Calls, in
// declaration order. An instance is kept only if it names a declared
// exchange and has a usable call id, so that partial results stay valid.
func (ld *loadRun) decodeEndCalls(blocks []*hcl.Block, pol *Policy) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		calls, moreDiags := ld.decodeEndCall(b, pol.Exchanges)
		diags = append(diags, moreDiags...)
		pol.Calls = append(pol.Calls, calls...)
	}
	return diags
}

func (ld *loadRun) decodeEndCall(b *hcl.Block, exchanges map[string]*Exchange) ([]*Call, hcl.Diagnostics) {
	name := b.Labels[0]
	content, diags := b.Body.Content(endCallSchema)
	attrs := content.Attributes

	exchange, exchangeOK := "", false
	var selectExchange hcl.Expression // chooses the exchange per instance (exchange_select.go)
	if attr, ok := attrs["exchange"]; !ok {
		diags = append(diags, missingArgument("end_call", name, "exchange", "a reference to an exchange block, such as exchange.corp", b))
	} else if isExchangeSelection(attr.Expr) {
		selectExchange, exchangeOK = attr.Expr, true
	} else {
		var moreDiags hcl.Diagnostics
		exchange, moreDiags = exchangeRef(attr.Expr, exchanges)
		diags = append(diags, moreDiags...)
		exchangeOK = !moreDiags.HasErrors()
	}
	callIDAttr, hasCallID := attrs["call_id"]
	if !hasCallID {
		diags = append(diags, missingArgument("end_call", name, "call_id", "the id of the call to end, exactly as Exchange reports it", b))
	}

	// Call ids and reasons are printed by every plan and stored in plan
	// files, journals and pull-request comments: a sensitive variable must
	// not feed them.
	for _, name := range []string{"for_each", "call_id", "reason"} {
		if attr, ok := attrs[name]; ok {
			diags = append(diags, ld.checkNotSensitive(attr)...)
		}
	}

	instances := []*each{nil}
	var els *forElements // a for_each for expression, evaluated per element
	if attr, ok := attrs["for_each"]; ok {
		var v cty.Value
		var moreDiags hcl.Diagnostics
		if fe, isFor := attr.Expr.(*hclsyntax.ForExpr); isFor {
			var res forElements
			res, moreDiags = ld.evalForElements(fe)
			v, els = res.value, &res
			for _, f := range res.failures {
				ld.failRecord(name, f.key, f.hasKey, f.record, f.diags)
			}
		} else {
			v, moreDiags = ld.evalForEach(attr.Expr)
			if local := ld.localForElements(attr.Expr); local != nil && !moreDiags.HasErrors() {
				els = local
				for _, f := range local.failures {
					ld.failRecord(name, f.key, f.hasKey, f.record, f.diags)
				}
			}
		}
		diags = append(diags, moreDiags...)
		if moreDiags.HasErrors() {
			return nil, diags
		}
		var ok bool
		instances, ok, moreDiags = ld.forEachInstances(v, attr.Expr.Range())
		diags = append(diags, moreDiags...)
		if !ok {
			return nil, diags
		}
	}

	// for_each instances usually share their reason and guard: keep one
	// copy of each, which matters with an incident list of 100,000 ids.
	// Reasons that name the instance (an inventory's dialled number, say)
	// are all different: past maxSharedReasons the map would only cost
	// memory, 5 MB at 100,000 calls.
	var callIDRange *hcl.Range
	if hasCallID {
		callIDRange = callIDAttr.Expr.Range().Ptr()
	}
	reasons := map[string]string{}
	stateLists := map[string][]string{}
	var calls []*Call
	for _, e := range instances {
		// An instance selected from a record fails on its own: its
		// errors go to Policy.Failed, not to the policy's diagnostics.
		recordIndex, perRecord := 0, false
		if e != nil && els != nil && els.recordOf != nil {
			recordIndex, perRecord = els.recordOf[e.key]
		}
		outer := diags
		if perRecord {
			diags = nil
		}
		call := &Call{Address: "end_call." + name, Name: name, Exchange: exchange, DeclRange: b.DefRange}
		if e != nil {
			call.Key = e.key
			call.Address = "end_call." + name + "[" + quoteKey(e.key) + "]"
		}
		valid := exchangeOK && hasCallID
		if selectExchange != nil {
			ex, ok, moreDiags := ld.evalExchange(selectExchange, e, exchanges)
			diags = append(diags, moreDiags...)
			call.Exchange, valid = ex, valid && ok
		}
		if hasCallID {
			call.CallIDRange = callIDRange
			id, ok, moreDiags := ld.evalString(callIDAttr, e)
			diags = append(diags, moreDiags...)
			if ok {
				call.CallID = id
				moreDiags = checkCallID(call)
				diags = append(diags, moreDiags...)
				ok = !moreDiags.HasErrors()
			}
			valid = valid && ok
		}
		if attr, ok := attrs["reason"]; ok {
			s, ok, moreDiags := ld.evalString(attr, e)
			diags = append(diags, moreDiags...)
			if shared, seen := reasons[s]; seen {
				s = shared
			} else if len(reasons) < maxSharedReasons {
				reasons[s] = s
			}
			call.Reason = s
			// Offline, a reason not known yet (from an unset variable)
			// does not hide the call: it is still counted and checked.
			valid = valid && (ok || (ld.opts.Offline && !moreDiags.HasErrors()))
		}
		if attr, ok := attrs["only_in_states"]; ok {
			states, ranges, ok, moreDiags := ld.evalStringList(attr, e)
			diags = append(diags, moreDiags...)
			if ok && len(states) == 0 {
				// An empty guard would read as "no guard" and let apply end
				// a ringing call the author meant to protect.
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Empty only_in_states",
					Detail:   fmt.Sprintf("end_call %q has an empty only_in_states list, which would guard nothing. List the states in which the call may be disconnected, such as [\"Connected\"], or remove the argument to allow any live state.", name),
					Subject:  attr.Expr.Range().Ptr(),
				})
				ok = false
			}
			sensitive := ld.isSensitive(attr)
			for i, s := range states {
				moreDiags := checkState(s, ranges[i], sensitive)
				diags = append(diags, moreDiags...)
				ok = ok && !moreDiags.HasErrors()
			}
			key := strings.Join(states, "\x00")
			if shared, seen := stateLists[key]; seen {
				states = shared
			} else {
				stateLists[key] = states
			}
			call.OnlyInStates = states
			valid = valid && ok
		}
		if perRecord {
			if diags.HasErrors() {
				ld.failRecord(name, e.key, true, els.recordName(recordIndex), diags)
				valid = false
			} else {
				outer = append(outer, diags...)
			}
			diags = outer
		}
		if valid && (e == nil || !e.deferred) {
			calls = append(calls, call)
		}
		if (e != nil && e.deferred) || (!valid && hasCallID && exchangeOK && callIDUnknown(ld, callIDAttr, e)) {
			ld.deferBlock("end_call." + name)
		}
		if e != nil {
			e.ctx = nil // done with this instance: do not hold 100,000 contexts
		}
	}
	return calls, diags
}

// maxSharedReasons bounds the distinct reasons decodeEndCall shares.
const maxSharedReasons = 1024

// exchangeRef decodes the exchange argument, a static reference such as
// exchange.corp, and returns the exchange's name.
func exchangeRef(expr hcl.Expression, exchanges map[string]*Exchange) (string, hcl.Diagnostics) {
	invalid := func(detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid exchange reference",
			Detail:   detail,
			Subject:  expr.Range().Ptr(),
		}}
	}
	tr, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() {
		if v, vDiags := expr.Value(nil); !vDiags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			return "", invalid(fmt.Sprintf("The exchange argument takes a reference to an exchange block, not a string. Write it without quotes: exchange = exchange.%s.", v.AsString()))
		}
		return "", invalid("The exchange argument must be a reference to an exchange block, such as exchange.corp.")
	}
	attr, isAttr := hcl.TraverseAttr{}, false
	if len(tr) == 2 {
		attr, isAttr = tr[1].(hcl.TraverseAttr)
	}
	if tr.RootName() != "exchange" || !isAttr {
		return "", invalid("The exchange argument must be a reference to an exchange block, such as exchange.corp, with nothing after the exchange's name.")
	}
	if _, ok := exchanges[attr.Name]; !ok {
		return "", hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Reference to undeclared exchange",
			Detail: fmt.Sprintf("No exchange block named %q is declared in this policy. Declare it, or correct the name.%s",
				attr.Name, didYouMean(attr.Name, mapKeys(exchanges))),
			Subject: expr.Range().Ptr(),
		}}
	}
	return attr.Name, nil
}

// forEachInstances expands a for_each value into instances sorted by key.
// Like Terraform it accepts a map (or object) and a set of strings; unlike
// Terraform it also accepts a list or tuple of strings, treated as the set
// of its elements, since a list of call ids is what operators write.
func (ld *loadRun) forEachInstances(v cty.Value, rng hcl.Range) ([]*each, bool, hcl.Diagnostics) {
	invalid := func(detail string) ([]*each, bool, hcl.Diagnostics) {
		return nil, false, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid for_each argument",
			Detail:   detail,
			Subject:  rng.Ptr(),
		}}
	}
	unknown := func() ([]*each, bool, hcl.Diagnostics) {
		if ld.varsFailed {
			return nil, false, nil // a variable failed and was reported
		}
		if ld.dataUnknown || ld.localsFailed || ld.opts.UnsetUnknown || ld.opts.Offline {
			// validate left the data sources unread (or one, or a
			// local, failed and was reported): one stand-in instance, with each unknown,
			// still checks the block's references and function calls,
			// and yields no call.
			return []*each{{deferred: true}}, true, nil
		}
		return invalid("The for_each value is not known while loading the policy. Use a value made only of variables and literals.")
	}
	ty := v.Type()
	switch {
	case !v.IsKnown():
		return unknown()
	case ty.IsSetType() || ty.IsListType() || ty.IsTupleType():
		// Not v.IsWhollyKnown(): iterating a cty set sorts it, and with
		// 100,000 ids that sort is the largest cost of loading; one pass
		// checks knownness and types together.
		return ld.forEachStrings(v, invalid, unknown)
	case !v.IsWhollyKnown():
		return unknown()
	case v.IsNull():
		return invalid("The for_each argument is null. Use a map or a set of strings; toset([]) gives no instances.")
	case ty.IsMapType() || ty.IsObjectType():
		var out []*each
		for it := v.ElementIterator(); it.Next(); {
			k, el := it.Element()
			out = append(out, &each{key: k.AsString(), value: el})
		}
		return out, true, nil
	}
	return invalid(fmt.Sprintf("The for_each argument must be a map, or a set or list of strings, but it is %s.", ty.FriendlyName()))
}

// checkCallID rejects an empty id and warns about surrounding whitespace.
// Ids are opaque and sent verbatim, so whitespace is never trimmed: it
// might be part of an id, but is more likely a copy-and-paste slip.
func checkCallID(call *Call) hcl.Diagnostics {
	id := call.CallID
	switch trimmed := strings.TrimSpace(id); {
	case trimmed == "":
		what := "empty"
		if id != "" {
			what = "only whitespace"
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Empty call id",
			Detail:   fmt.Sprintf("The call_id of %s is %s. Set it to the id of the call to end, exactly as Exchange reports it.", call.Address, what),
			Subject:  call.CallIDRange,
		}}
	case trimmed != id:
		return hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Call id has surrounding whitespace",
			Detail: fmt.Sprintf("The call_id of %s (declared at %s), %q, begins or ends with whitespace. Call ids are sent exactly as written, so Exchange will not find this one unless the whitespace is part of it. Remove it; an id read with file() from a file with Windows line endings keeps a \"\\r\": wrap it in trimspace().",
				call.Address, shortRange(call.DeclRange), id),
			Subject: call.CallIDRange,
		}}
	case strings.ContainsFunc(id, unicode.IsControl):
		return hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Call id has control characters",
			Detail: fmt.Sprintf("The call_id of %s (declared at %s), %q, holds a control character such as a tab or line break. Call ids are sent exactly as written, so Exchange will not find this one; check how the id was read or split.",
				call.Address, shortRange(call.DeclRange), id),
			Subject: call.CallIDRange,
		}}
	}
	return nil
}

func checkState(s string, rng hcl.Range, sensitive bool) hcl.Diagnostics {
	for _, v := range validStates {
		if s == v {
			return nil
		}
	}
	quoted, hint := fmt.Sprintf("%q", s), didYouMean(s, validStates)
	if sensitive {
		quoted, hint = "A value derived from a sensitive variable", ""
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid call state",
		Detail:   fmt.Sprintf("%s is not a call state. Valid states are %s.%s", quoted, quotedList(validStates), hint),
		Subject:  rng.Ptr(),
	}}
}

// quoteKey quotes a for_each key the way Terraform writes instance keys:
// as an HCL string literal, so that an address can be parsed back.
func quoteKey(k string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range k {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case (r == '$' || r == '%') && strings.HasPrefix(k[i+1:], "{"):
			// "${" and "%{" would start a template sequence.
			b.WriteRune(r)
			b.WriteRune(r)
		case !unicode.IsPrint(r):
			if r <= 0xFFFF {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// checkNotSensitive reports an attribute whose expression reads a variable
// declared sensitive, directly or through local values (a local's value
// loses its mark once evaluated, so its expression is followed instead).
func (ld *loadRun) checkNotSensitive(attr *hcl.Attribute) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tr := range attr.Expr.Variables() {
		name, via := ld.sensitiveVarIn(tr, map[string]bool{})
		if name == "" {
			continue
		}
		decl := ld.vars[name]
		why, fix := "declared sensitive", "Remove sensitive = true from the variable if its value is not secret."
		if !decl.sensitive {
			why, fix = "a secret, since an auth block's password or token reads it", "Use another variable here."
		}
		reads := "var." + name
		if via != "" {
			reads = fmt.Sprintf("%s (through %s)", reads, via)
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Sensitive value in " + attr.Name,
			Detail: fmt.Sprintf("The %s argument reads %s, which is %s. %s values are shown by every plan and kept in plan files, journals and pull-request comments, so a sensitive value cannot be used here. %s",
				attr.Name, reads, why, attr.Name, fix),
			Subject: tr.SourceRange().Ptr(),
		})
	}
	return diags
}

// sensitiveVarIn returns the sensitive or secret variable that tr reads,
// following local values, and the first local it went through; "" when
// none. seen guards against cycles, which decodeLocals reports.
func (ld *loadRun) sensitiveVarIn(tr hcl.Traversal, seen map[string]bool) (name, via string) {
	if len(tr) < 2 {
		return "", ""
	}
	step, ok := tr[1].(hcl.TraverseAttr)
	if !ok {
		return "", ""
	}
	switch tr.RootName() {
	case "var":
		if decl := ld.vars[step.Name]; decl != nil && (decl.sensitive || ld.secretVars[step.Name]) {
			return step.Name, ""
		}
	case "local":
		decl := ld.locals[step.Name]
		if decl == nil || seen[step.Name] {
			return "", ""
		}
		seen[step.Name] = true
		for _, inner := range decl.attr.Expr.Variables() {
			if name, _ := ld.sensitiveVarIn(inner, seen); name != "" {
				return name, "local." + step.Name
			}
		}
	}
	return "", ""
}
