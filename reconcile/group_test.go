package reconcile

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callctl/callctl/soap"
)

// Failures with one cause on one exchange make one message, even when
// their texts differ in durations or attempt counts; another exchange or
// another cause makes another.
func TestFailuresGroupByCause(t *testing.T) {
	hung := func(d string, n int) error {
		return fmt.Errorf("DisconnectPhoneCall failed %d times, giving up; last: no answer within %s", n, d)
	}
	corp := newFake(map[string]string{})
	lab := newFake(map[string]string{})
	var ids []string
	for i := range 9 {
		id := fmt.Sprintf("c-%d", i)
		ids = append(ids, id)
		corp.states[id], lab.states[id] = "Connected", "Connected"
		corp.discErr[id] = hung(fmt.Sprintf("9m59.99%ds", i), 3+i%2)
		corp.lookErr[id] = fmt.Errorf("GetPhoneCallInformation: no answer within %dm%d.5s, attempt %d of 3", i, i, i%3+1)
	}
	denied := &soap.ResponseError{Operation: "DisconnectPhoneCall", Class: "Error", Code: "ErrorAccessDenied"}
	lab.discErr["c-0"], lab.discErr["c-1"] = denied, denied
	callers := map[string]soap.Caller{"corp": corp, "lab": lab}

	// Lookups: nine calls, one cause, one diagnostic.
	_, diags := (&Planner{Callers: callers}).Plan(context.Background(), calls("corp", ids...))
	if len(diags) != 1 || diags[0].Summary != "Failed to look up calls" || !strings.Contains(diags[0].Detail, "9 calls") || !strings.Contains(diags[0].Detail, "and 4 more") {
		t.Fatalf("lookups: want one grouped diagnostic, got %d: %v", len(diags), diags)
	}

	// Disconnects.
	corp.lookErr = map[string]error{}
	plan, diags := (&Planner{Callers: callers}).Plan(context.Background(), append(calls("corp", ids...), calls("lab", "c-0", "c-1", "c-2")...))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	res := (&Applier{Callers: callers}).Apply(context.Background(), context.Background(), plan)
	diags = ApplyFailureDiagnostics(res)
	var got []string
	for _, d := range diags {
		got = append(got, d.Summary)
	}
	// corp's disconnects went out unanswered, lab's were refused.
	want := []string{"Disconnects sent, outcomes unknown", "Failed to disconnect calls"}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("summaries (-want +got):\n%s\n%v", d, diags)
	}
	var corpDiag, labDiag string
	for _, d := range diags {
		if strings.Contains(d.Detail, `Exchange "corp"`) {
			corpDiag = d.Detail
		} else {
			labDiag = d.Detail
		}
	}
	for _, w := range []string{"9 calls", `end_call.c["c-0"] (call id "c-0")`, "and 4 more", "giving up", "Calls not disconnected"} {
		if !strings.Contains(corpDiag, w) {
			t.Errorf("corp diagnostic lacks %q:\n%s", w, corpDiag)
		}
	}
	if strings.Contains(corpDiag, `end_call.c["c-5"]`) {
		t.Errorf("corp diagnostic names more than %d calls:\n%s", maxNamedCalls, corpDiag)
	}
	if !strings.Contains(labDiag, "2 calls") || !strings.Contains(labDiag, "ErrorAccessDenied") {
		t.Errorf("lab diagnostic:\n%s", labDiag)
	}
}

func TestCauseKey(t *testing.T) {
	same := [][2]string{
		{"no answer within 9m59.999682095s", "no answer within 10m0s"},
		{"failed 8 times, giving up", "failed 3 times, giving up"},
		{"waiting: attempt 2 of 3", "waiting: attempt 3 of 3"},
		{"back off 4s, more than -max-backoff 2s", "back off 1m30s, more than -max-backoff 2s"},
		// Sent before the back-off or not, an earlier attempt unanswered or
		// not: one cause (29 calls behind one 503 made two messages).
		{"GetPhoneCallInformation not sent: server answered HTTP 503", "GetPhoneCallInformation not retried: server answered HTTP 503 (an earlier attempt got no answer)"},
	}
	for _, p := range same {
		if causeKey("x", p[0]) != causeKey("x", p[1]) {
			t.Errorf("%q and %q do not group", p[0], p[1])
		}
	}
	different := [][2]string{
		{"HTTP 503", "HTTP 502"},
		{"ErrorServerBusy", "ErrorAccessDenied"},
		{"call c-1s", "call c-2s"}, // ids that end like durations are not durations
	}
	for _, p := range different {
		if causeKey("x", p[0]) == causeKey("x", p[1]) {
			t.Errorf("%q and %q group", p[0], p[1])
		}
	}
	if causeKey("a", "boom") == causeKey("b", "boom") {
		t.Error("exchanges group together")
	}
}
