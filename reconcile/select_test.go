package reconcile

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callctl/callctl/config"
)

func declared() []*config.Call {
	return []*config.Call{
		{Address: "end_call.bridge", Exchange: "corp", CallID: "b"},
		{Address: `end_call.stuck["a"]`, Exchange: "corp", CallID: "a"},
		{Address: `end_call.stuck["c"]`, Exchange: "lab", CallID: "c"},
	}
}

func addresses(calls []*config.Call) []string {
	out := []string{}
	for _, c := range calls {
		out = append(out, c.Address)
	}
	return out
}

func TestSelectCalls(t *testing.T) {
	tests := map[string]struct {
		targets, excludes []string
		want              []string
		wantErrs          []string // summaries, in order
	}{
		"no flags keeps every call": {
			want: []string{"end_call.bridge", `end_call.stuck["a"]`, `end_call.stuck["c"]`},
		},
		"full address targets one instance": {
			targets: []string{`end_call.stuck["a"]`},
			want:    []string{`end_call.stuck["a"]`},
		},
		"block address targets every instance": {
			targets: []string{"end_call.stuck"},
			want:    []string{`end_call.stuck["a"]`, `end_call.stuck["c"]`},
		},
		"exclude removes from the targets": {
			targets:  []string{"end_call.stuck"},
			excludes: []string{`end_call.stuck["c"]`},
			want:     []string{`end_call.stuck["a"]`},
		},
		"exclude alone removes from every call": {
			excludes: []string{"end_call.stuck"},
			want:     []string{"end_call.bridge"},
		},
		"a target matching nothing is an error": {
			targets:  []string{"end_call.brige"},
			wantErrs: []string{"No call matches -target"},
		},
		// A typo in -exclude must not silently leave the call it meant
		// to protect in the apply.
		"an exclude matching nothing is an error": {
			excludes: []string{`end_call.stuck["x"]`},
			wantErrs: []string{"No call matches -exclude"},
		},
		"every unmatched address is reported, targets first": {
			targets:  []string{"end_call.nope"},
			excludes: []string{"end_call.nada"},
			wantErrs: []string{"No call matches -target", "No call matches -exclude"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, diags := SelectCalls(declared(), tc.targets, tc.excludes)
			var errs []string
			for _, d := range diags {
				errs = append(errs, d.Summary)
			}
			if diff := cmp.Diff(tc.wantErrs, errs); diff != "" {
				t.Fatalf("diagnostics (-want +got):\n%s", diff)
			}
			if tc.wantErrs != nil {
				if got != nil {
					t.Errorf("selected %v despite errors", addresses(got))
				}
				return
			}
			if diff := cmp.Diff(tc.want, addresses(got)); diff != "" {
				t.Errorf("selected (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRebind(t *testing.T) {
	change := func(addr, ex, id string) *Change {
		return &Change{Address: addr, Exchange: ex, CallID: id, Action: ActionDisconnect, OnlyInStates: []string{"Connected"}}
	}
	guarded := declared()
	guarded[1].OnlyInStates = []string{"Alerted"}
	tests := map[string]struct {
		changes           []*Change
		targets, excludes []string
		want              []string
		wantProblems      []string
	}{
		"every change still declared": {
			changes: []*Change{change("end_call.bridge", "corp", "b"), change(`end_call.stuck["a"]`, "corp", "a")},
			want:    []string{"end_call.bridge", `end_call.stuck["a"]`},
		},
		"a call no longer declared": {
			changes:      []*Change{change("end_call.gone", "corp", "g")},
			wantProblems: []string{`end_call.gone (call id "g" on exchange "corp") is not a call the policy declares, or not one the plan's -target/-exclude selected`},
		},
		"a call moved to another exchange": {
			changes:      []*Change{change("end_call.bridge", "lab", "b")},
			wantProblems: []string{`end_call.bridge (call id "b" on exchange "lab") is not a call the policy declares, or not one the plan's -target/-exclude selected`},
		},
		"a call whose id changed": {
			changes:      []*Change{change("end_call.bridge", "corp", "other")},
			wantProblems: []string{`end_call.bridge now names call id "b", not "other"`},
		},
		"a change listed twice": {
			changes:      []*Change{change("end_call.bridge", "corp", "b"), change("end_call.bridge", "corp", "b")},
			wantProblems: []string{`end_call.bridge on exchange "corp" is listed more than once`},
		},
		"a change outside the plan's -exclude": {
			changes:      []*Change{change("end_call.bridge", "corp", "b")},
			excludes:     []string{"end_call.bridge"},
			wantProblems: []string{`end_call.bridge (call id "b" on exchange "corp") is not a call the policy declares, or not one the plan's -target/-exclude selected`},
		},
		"-target no longer matching": {
			changes:      []*Change{change("end_call.bridge", "corp", "b")},
			targets:      []string{"end_call.renamed"},
			wantProblems: []string{"the plan's -target or -exclude no longer match the policy's calls"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			plan := &Plan{Changes: tc.changes}
			calls, problems := Rebind(plan, guarded, tc.targets, tc.excludes)
			if diff := cmp.Diff(tc.wantProblems, problems); diff != "" {
				t.Fatalf("problems (-want +got):\n%s", diff)
			}
			if tc.wantProblems != nil {
				return
			}
			if diff := cmp.Diff(tc.want, addresses(calls)); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			for _, ch := range plan.Changes {
				if ch.Call == nil || !cmp.Equal(ch.OnlyInStates, ch.Call.OnlyInStates) {
					t.Errorf("%s: guard %v not taken from the policy's %v", ch.Address, ch.OnlyInStates, ch.Call)
				}
			}
		})
	}
}
