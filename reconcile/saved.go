package reconcile

import (
	"fmt"

	"github.com/callctl/callctl/config"
)

// Rebind ties each change of a saved plan to the call the policy declares
// now, and returns those calls, or the reasons it cannot. Every change must
// be a call the policy still declares, with the same id on the same
// exchange, once, and within the plan's -target and -exclude: a plan's
// fingerprint cannot see what env() returns, and a plan file may have been
// edited. Guards (only_in_states) come from the policy, never from the
// file. Anything else would end a call nobody reviewed.
func Rebind(plan *Plan, declared []*config.Call, targets, excludes []string) ([]*config.Call, []string) {
	selected, diags := SelectCalls(declared, targets, excludes)
	if diags.HasErrors() {
		return nil, []string{"the plan's -target or -exclude no longer match the policy's calls"}
	}
	byKey := map[string]*config.Call{}
	for _, call := range selected {
		byKey[call.Address+"\x00"+call.Exchange] = call
	}
	var calls []*config.Call
	var problems []string
	seen := map[string]bool{}
	for _, ch := range plan.Changes {
		key := ch.Address + "\x00" + ch.Exchange
		call := byKey[key]
		switch {
		case seen[key]:
			problems = append(problems, fmt.Sprintf("%s on exchange %q is listed more than once", ch.Address, ch.Exchange))
			continue
		case call == nil:
			problems = append(problems, fmt.Sprintf("%s (call id %q on exchange %q) is not a call the policy declares, or not one the plan's -target/-exclude selected", ch.Address, ch.CallID, ch.Exchange))
		case call.CallID != ch.CallID:
			problems = append(problems, fmt.Sprintf("%s now names call id %q, not %q", ch.Address, call.CallID, ch.CallID))
		default:
			ch.Call = call
			ch.OnlyInStates = call.OnlyInStates
			calls = append(calls, call)
		}
		seen[key] = true
	}
	return calls, problems
}
