package policytest

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/callctl/callctl/reconcile"
)

var changeType = cty.Object(map[string]cty.Type{
	"address": cty.String, "name": cty.String, "key": cty.String, "call_id": cty.String,
	"exchange": cty.String, "action": cty.String, "state": cty.String, "reason": cty.String, "cause": cty.String,
})

var resultType = cty.Object(map[string]cty.Type{
	"address": cty.String, "call_id": cty.String, "exchange": cty.String, "outcome": cty.String, "error": cty.String,
})

// optional is a string attribute: null when empty.
func optional(s string) cty.Value {
	if s == "" {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(s)
}

// planValue is the plan object assertions see: plan.changes, one object
// per call looked up, in address order.
func planValue(p *reconcile.Plan) cty.Value {
	changes := make([]cty.Value, 0, len(p.Changes))
	for _, c := range p.Changes {
		name, key := "", ""
		if c.Call != nil {
			name, key = c.Call.Name, c.Call.Key
		}
		changes = append(changes, cty.ObjectVal(map[string]cty.Value{
			"address":  cty.StringVal(c.Address),
			"name":     cty.StringVal(name),
			"key":      optional(key),
			"call_id":  cty.StringVal(c.CallID),
			"exchange": cty.StringVal(c.Exchange),
			"action":   cty.StringVal(string(c.Action)),
			"state":    optional(c.State),
			"reason":   optional(c.Reason),
			"cause":    optional(c.Cause),
		}))
	}
	list := cty.ListValEmpty(changeType)
	if len(changes) > 0 {
		list = cty.ListVal(changes)
	}
	return cty.ObjectVal(map[string]cty.Value{"changes": list})
}

// applyValue is the apply object: apply.results, one per planned call.
func applyValue(a *reconcile.ApplyResult) cty.Value {
	results := make([]cty.Value, 0, len(a.Results))
	for _, r := range a.Results {
		errText := ""
		if r.Err != nil {
			errText = r.Err.Error()
		}
		results = append(results, cty.ObjectVal(map[string]cty.Value{
			"address":  cty.StringVal(r.Change.Address),
			"call_id":  cty.StringVal(r.Change.CallID),
			"exchange": cty.StringVal(r.Change.Exchange),
			"outcome":  cty.StringVal(string(r.Outcome)),
			"error":    optional(errText),
		}))
	}
	list := cty.ListValEmpty(resultType)
	if len(results) > 0 {
		list = cty.ListVal(results)
	}
	return cty.ObjectVal(map[string]cty.Value{"results": list})
}
