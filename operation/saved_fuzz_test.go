package operation

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/planfile"
	"github.com/callctl/callctl/reconcile"
)

// declaredForFuzz are the calls the seed plans (testdata/fuzz/
// FuzzSavedPlanMatch: plans callctl wrote in the saved-plan scripts, with
// edited and forged ones) were made from.
func declaredForFuzz() []*config.Call {
	call := func(addr, name, key, ex, id string) *config.Call {
		return &config.Call{Address: addr, Name: name, Key: key, Exchange: ex, CallID: id, OnlyInStates: []string{"Connected"}}
	}
	return []*config.Call{
		call("end_call.bystander", "bystander", "", "corp", "bystander"),
		call("end_call.ringing", "ringing", "", "corp", "ringing"),
		call(`end_call.stale_dialer["dlr-0001"]`, "stale_dialer", "dlr-0001", "corp", "dlr-0001"),
		call(`end_call.stale_dialer["dlr-0002"]`, "stale_dialer", "dlr-0002", "lon", "dlr-0002"),
		call(`end_call.stuck["c-1"]`, "stuck", "c-1", "corp", "c-1"),
		call(`end_call.stuck["c-2"]`, "stuck", "c-2", "corp", "c-2"),
	}
}

// FuzzSavedPlanMatch decodes a plan file and matches it against the calls
// a policy declares, as apply does: whatever the file says, every call
// matched is one the policy declares within the plan's -target and
// -exclude, with the id and exchange the file names, at most once; and a
// plan matched without problems matches every change.
func FuzzSavedPlanMatch(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("..", "planfile", "testdata", "plan-v2.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		pf, err := planfile.Decode(bytes.NewReader(b))
		if err != nil {
			return
		}
		declared := declaredForFuzz()
		selected, diags := reconcile.SelectCalls(declared, pf.Inputs.Targets, pf.Inputs.Excludes)
		calls, problems := reconcile.Rebind(pf.Plan, declared, pf.Inputs.Targets, pf.Inputs.Excludes)
		if diags.HasErrors() {
			if len(calls) != 0 || len(problems) == 0 {
				t.Fatalf("targets that match nothing gave %d calls and problems %q", len(calls), problems)
			}
			return
		}
		inSelection := map[*config.Call]bool{}
		for _, c := range selected {
			inSelection[c] = true
		}
		seen := map[*config.Call]bool{}
		for _, c := range calls {
			if !inSelection[c] {
				t.Fatalf("%s matched but is not within the plan's -target/-exclude", c.Address)
			}
			if seen[c] {
				t.Fatalf("%s matched twice", c.Address)
			}
			seen[c] = true
		}
		for _, ch := range pf.Plan.Changes {
			if ch.Call == nil {
				continue
			}
			if !seen[ch.Call] || ch.Call.CallID != ch.CallID || ch.Call.Exchange != ch.Exchange || ch.Call.Address != ch.Address {
				t.Fatalf("change %s (%s on %s) bound to %s (%s on %s)", ch.Address, ch.CallID, ch.Exchange, ch.Call.Address, ch.Call.CallID, ch.Call.Exchange)
			}
			if len(ch.OnlyInStates) != 1 || ch.OnlyInStates[0] != "Connected" {
				t.Fatalf("change %s keeps the file's guard %q, not the policy's", ch.Address, ch.OnlyInStates)
			}
		}
		if len(problems) == 0 && len(calls) != len(pf.Plan.Changes) {
			t.Fatalf("no problems, but %d of %d changes matched", len(calls), len(pf.Plan.Changes))
		}
	})
}
