package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

func calls(exchange string, ids ...string) []*config.Call {
	var out []*config.Call
	for _, id := range ids {
		out = append(out, &config.Call{
			Address:   fmt.Sprintf("end_call.c[%q]", id),
			Exchange:  exchange,
			CallID:    id,
			DeclRange: hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 3, Column: 1}, End: hcl.Pos{Line: 3, Column: 10}},
		})
	}
	return out
}

func TestPlanClassifiesEveryState(t *testing.T) {
	states := map[string]string{
		"connecting": "Connecting", "alerted": "Alerted", "connected": "Connected",
		"incoming": "Incoming", "transferring": "Transferring", "forwarding": "Forwarding",
		"idle": "Idle", "disconnected": "Disconnected", "future": "Teleporting",
	}
	ids := []string{"connecting", "alerted", "connected", "incoming", "transferring", "forwarding", "idle", "disconnected", "future", "gone"}
	f := newFake(states)
	p := &Planner{Callers: map[string]soap.Caller{"corp": f}}
	plan, diags := p.Plan(context.Background(), calls("corp", ids...))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(diags) != 1 || diags[0].Summary != "Unknown call state" || !strings.Contains(diags[0].Detail, `"Teleporting"`) {
		t.Errorf("want one warning about the unknown state, got %v", diags)
	}
	got := map[string]Action{}
	for _, c := range plan.Changes {
		got[c.CallID] = c.Action
	}
	want := map[string]Action{
		"connecting": ActionDisconnect, "alerted": ActionDisconnect, "connected": ActionDisconnect,
		"incoming": ActionDisconnect, "transferring": ActionDisconnect, "forwarding": ActionDisconnect,
		"idle": ActionNone, "disconnected": ActionNone, "future": ActionDisconnect, "gone": ActionNotFound,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("actions (-want +got):\n%s", d)
	}
	if s := plan.Summary(); s != (Summary{ToDisconnect: 7, AlreadyEnded: 2, NotFound: 1}) {
		t.Errorf("summary = %+v", s)
	}
	for i := 1; i < len(plan.Changes); i++ {
		if plan.Changes[i-1].Address > plan.Changes[i].Address {
			t.Fatalf("changes not sorted: %q before %q", plan.Changes[i-1].Address, plan.Changes[i].Address)
		}
	}
}

func TestPlanOnlyInStatesLeavesCallAlone(t *testing.T) {
	f := newFake(map[string]string{"ringing": "Alerted", "up": "Connected"})
	cs := calls("corp", "ringing", "up")
	for _, c := range cs {
		c.OnlyInStates = []string{"Connected"}
	}
	plan, diags := (&Planner{Callers: map[string]soap.Caller{"corp": f}}).Plan(context.Background(), cs)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if s := plan.Summary(); s != (Summary{ToDisconnect: 1, LeftAlone: 1}) {
		t.Errorf("summary = %+v", s)
	}
}

func TestPlanLookupFailureIsDiagnosticNamingCall(t *testing.T) {
	f := newFake(map[string]string{"a": "Connected", "b": "Connected"})
	f.lookErr["b"] = errBoom
	plan, diags := (&Planner{Callers: map[string]soap.Caller{"corp": f}}).Plan(context.Background(), calls("corp", "a", "b"))
	if !diags.HasErrors() || len(diags) != 1 {
		t.Fatalf("want one error diagnostic, got %v", diags)
	}
	d := diags[0]
	for _, want := range []string{`end_call.c["b"]`, `"corp"`, "ErrorInternalServerError", `"b"`} {
		if !strings.Contains(d.Detail, want) {
			t.Errorf("detail %q does not mention %s", d.Detail, want)
		}
	}
	if d.Subject == nil || d.Subject.Filename != "main.hcl" || d.Subject.Start.Line != 3 {
		t.Errorf("subject = %v, want main.hcl:3", d.Subject)
	}
	if len(plan.Changes) != 1 {
		t.Errorf("partial plan has %d changes, want 1", len(plan.Changes))
	}
}

func TestPlanGroupsRepeatedFailures(t *testing.T) {
	var ids []string
	f := newFake(map[string]string{})
	for i := range 25 {
		id := fmt.Sprintf("id%02d", i)
		ids = append(ids, id)
		f.lookErr[id] = errBoom
	}
	f.lookErr["id07"] = &soap.HTTPError{Operation: "GetPhoneCallInformation", StatusCode: 401, Status: "401 Unauthorized"}
	_, diags := (&Planner{Callers: map[string]soap.Caller{"corp": f}}).Plan(context.Background(), calls("corp", ids...))
	if len(diags) != 2 {
		t.Fatalf("got %d diagnostics, want one per distinct answer:\n%v", len(diags), diags)
	}
	var boom, auth *hcl.Diagnostic
	for _, d := range diags {
		if d.Summary == "Authentication failed" {
			auth = d
		} else {
			boom = d
		}
	}
	if boom == nil || boom.Summary != "Failed to look up calls" || !strings.Contains(boom.Detail, "24 calls, ") || !strings.Contains(boom.Detail, "and 19 more") {
		t.Errorf("grouped diagnostic = %+v", boom)
	}
	if auth == nil || !strings.Contains(auth.Detail, `end_call.c["id07"]`) || !strings.Contains(auth.Detail, "username and password") {
		t.Errorf("auth diagnostic = %+v", auth)
	}
}

func TestParallelismIsPerExchange(t *testing.T) {
	// Every request blocks until released, so the number in flight at once
	// shows the bound: 3 per exchange, whatever the other exchange does.
	a, b := newFake(map[string]string{}), newFake(map[string]string{})
	a.block, b.block = make(chan struct{}), make(chan struct{})
	var ids []string
	for i := range 20 {
		ids = append(ids, fmt.Sprint(i))
	}
	cs := append(calls("a", ids...), calls("b", ids...)...)
	p := &Planner{Callers: map[string]soap.Caller{"a": a, "b": b}, Parallelism: 3}
	var wg sync.WaitGroup
	wg.Go(func() { p.Plan(context.Background(), cs) })
	for a.inFlight.Load() < 3 || b.inFlight.Load() < 3 {
		waitABit()
	}
	close(a.block)
	close(b.block)
	wg.Wait()
	if a.maxSeen.Load() != 3 || b.maxSeen.Load() != 3 {
		t.Errorf("max in flight = %d, %d; want 3 on each exchange", a.maxSeen.Load(), b.maxSeen.Load())
	}
}

func TestApplyReportsEveryCallOnce(t *testing.T) {
	f := newFake(map[string]string{"a": "Connected", "b": "Connected", "c": "Connected", "d": "Disconnected", "vanished": "Connected"})
	f.discErr["c"] = &soap.ResponseError{Operation: "DisconnectPhoneCall", Class: "Error", Code: "ErrorInternalServerError"}
	cs := calls("corp", "a", "b", "c", "d", "gone", "vanished")
	callers := map[string]soap.Caller{"corp": f}
	plan, diags := (&Planner{Callers: callers}).Plan(context.Background(), cs)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	// "vanished" ends between plan and apply: the server then answers
	// ErrorInvalidPhoneCallId, which counts as already ended.
	delete(f.states, "vanished")

	var hook countHook
	res := (&Applier{Callers: callers, Hooks: []Hook{&hook}}).Apply(context.Background(), context.Background(), plan)
	got := map[string]Outcome{}
	for _, r := range res.Results {
		got[r.Change.CallID] = r.Outcome
	}
	want := map[string]Outcome{
		"a": OutcomeDisconnected, "b": OutcomeDisconnected, "c": OutcomeFailed,
		// A call the plan did not find stays not found: it may be a wrong
		// id for a live call, which must never be reported as ended.
		"d": OutcomeAlreadyEnded, "gone": OutcomeNotFound, "vanished": OutcomeAlreadyEnded,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
	if c := res.Counts(); c != (ApplyCounts{Disconnected: 2, AlreadyEnded: 2, NotFound: 1, Failed: 1}) {
		t.Errorf("counts = %+v", c)
	}
	if hook.pre != 4 || hook.post != 4 {
		t.Errorf("hooks saw %d pre, %d post; want 4 each (only calls sent a disconnect)", hook.pre, hook.post)
	}
	if f := res.Failures(); len(f) != 1 || f[0].Change.CallID != "c" || f[0].Err == nil {
		t.Errorf("failures = %v", f)
	}
}

func TestApplyRecheckSkipsCallsThatEndedMeanwhile(t *testing.T) {
	f := newFake(map[string]string{"a": "Connected", "b": "Connected"})
	callers := map[string]soap.Caller{"corp": f}
	plan, _ := (&Planner{Callers: callers}).Plan(context.Background(), calls("corp", "a", "b"))
	f.states["b"] = "Disconnected"
	res := (&Applier{Callers: callers, Recheck: true}).Apply(context.Background(), context.Background(), plan)
	if c := res.Counts(); c != (ApplyCounts{Disconnected: 1, AlreadyEnded: 1}) {
		t.Errorf("counts = %+v", c)
	}
	if len(f.discs) != 1 || f.discs[0] != "a" {
		t.Errorf("disconnects sent = %v, want only a", f.discs)
	}
}

func TestApplyStopStartsNoMoreDisconnects(t *testing.T) {
	states := map[string]string{}
	var ids []string
	for i := range 10 {
		id := fmt.Sprint(i)
		ids = append(ids, id)
		states[id] = "Connected"
	}
	f := newFake(states)
	callers := map[string]soap.Caller{"corp": f}
	plan, _ := (&Planner{Callers: callers}).Plan(context.Background(), calls("corp", ids...))

	f.block = make(chan struct{})
	stop, stopNow := context.WithCancel(context.Background())
	var res *ApplyResult
	var wg sync.WaitGroup
	wg.Go(func() {
		res = (&Applier{Callers: callers, Parallelism: 2}).Apply(stop, context.Background(), plan)
	})
	for f.inFlight.Load() < 2 {
		waitABit()
	}
	stopNow()
	close(f.block)
	wg.Wait()
	c := res.Counts()
	if c.Disconnected != 2 || c.NotStarted != 8 || !res.Interrupted {
		t.Errorf("counts = %+v interrupted=%v; want the 2 in flight finished and 8 not started", c, res.Interrupted)
	}
}

type countHook struct {
	NilHook
	mu        sync.Mutex
	pre, post int
}

func (h *countHook) PreDisconnect(*Change) { h.mu.Lock(); h.pre++; h.mu.Unlock() }
func (h *countHook) PostDisconnect(*Result) {
	h.mu.Lock()
	h.post++
	h.mu.Unlock()
}

type refusingGate struct {
	NilHook
	refuse string
}

func (g refusingGate) Gate(c *Change) error {
	if c.CallID == g.refuse {
		return fmt.Errorf("journal: cannot record intent")
	}
	return nil
}

func TestApplyGateRefusalSendsNothing(t *testing.T) {
	f := newFake(map[string]string{"a": "Connected", "b": "Connected"})
	callers := map[string]soap.Caller{"corp": f}
	plan, _ := (&Planner{Callers: callers}).Plan(context.Background(), calls("corp", "a", "b"))
	res := (&Applier{Callers: callers, Hooks: []Hook{refusingGate{refuse: "b"}}}).Apply(context.Background(), context.Background(), plan)
	if c := res.Counts(); c != (ApplyCounts{Disconnected: 1, Failed: 1}) {
		t.Errorf("counts = %+v", c)
	}
	if len(f.discs) != 1 || f.discs[0] != "a" {
		t.Errorf("disconnects sent = %v, want only a", f.discs)
	}
	if fails := res.Failures(); len(fails) != 1 || !strings.Contains(fails[0].Err.Error(), "disconnect not sent") {
		t.Errorf("failures = %v", fails)
	}
}

func TestApplyPastDeadlineStartsNothingAndSaysWhy(t *testing.T) {
	f := newFake(map[string]string{"a": "Connected"})
	callers := map[string]soap.Caller{"corp": f}
	plan, _ := (&Planner{Callers: callers}).Plan(context.Background(), calls("corp", "a"))
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	var hook countHook
	res := (&Applier{Callers: callers, Hooks: []Hook{&hook}}).Apply(ctx, ctx, plan)
	if c := res.Counts(); c != (ApplyCounts{NotStarted: 1}) || !res.Interrupted || !res.DeadlineExceeded {
		t.Errorf("counts = %+v interrupted=%v deadline=%v", c, res.Interrupted, res.DeadlineExceeded)
	}
	if hook.post != 1 {
		t.Errorf("hooks saw %d outcomes, want the not-started call's", hook.post)
	}
	if len(f.discs) != 0 {
		t.Errorf("disconnects sent after the deadline: %v", f.discs)
	}
}

func TestApplyUnansweredDisconnectSaysItMayHaveEnded(t *testing.T) {
	f := newFake(map[string]string{"a": "Connected", "b": "Connected"})
	f.discErr["a"] = fmt.Errorf("soap: DisconnectPhoneCall: no answer within 1s: %w", context.DeadlineExceeded)
	f.discErr["b"] = &soap.ResponseError{Operation: "DisconnectPhoneCall", Class: "Error", Code: "ErrorInternalServerError"}
	callers := map[string]soap.Caller{"corp": f}
	plan, _ := (&Planner{Callers: callers}).Plan(context.Background(), calls("corp", "a", "b"))
	res := (&Applier{Callers: callers}).Apply(context.Background(), context.Background(), plan)
	for _, r := range res.Results {
		if want := map[string]Outcome{"a": OutcomeUnknown, "b": OutcomeFailed}[r.Change.CallID]; r.Outcome != want {
			t.Errorf("%s: outcome %s, want %s", r.Change.CallID, r.Outcome, want)
		}
		uncertain := strings.Contains(r.Err.Error(), "may have ended")
		if want := r.Change.CallID == "a"; uncertain != want {
			t.Errorf("%s: %v; want the may-have-ended note only for the unanswered disconnect", r.Change.CallID, r.Err)
		}
		if !errors.Is(r.Err, context.DeadlineExceeded) && r.Change.CallID == "a" {
			t.Errorf("the cause is lost: %v", r.Err)
		}
	}
}

// A disconnect retried after an unanswered attempt and then stopped (a
// back-off past -max-backoff, the exchange given up) is "sent, outcome
// unknown", naming its own operation, never plain "failed".
func TestApplyStoppedRetryAfterUnansweredAttemptIsUnknown(t *testing.T) {
	reset := fmt.Errorf("DisconnectPhoneCall: POST x: %w", syscall.ECONNRESET)
	f := newFake(map[string]string{"a": "Connected", "b": "Connected"})
	f.discErr["a"] = &throttle.MaybeAppliedError{Err: &throttle.BackoffError{Operation: "DisconnectPhoneCall", Wait: 5 * time.Minute, Max: time.Minute, Sent: true,
		Err: &soap.Fault{Operation: "GetPhoneCallInformation", Code: "ErrorServerBusy", BackOff: 5 * time.Minute}}}
	f.discErr["b"] = &throttle.MaybeAppliedError{Err: &throttle.ExchangeError{Exchange: "corp", Kind: throttle.KindDown, Count: 3, Err: reset}}
	callers := map[string]soap.Caller{"corp": f}
	plan, _ := (&Planner{Callers: callers}).Plan(context.Background(), calls("corp", "a", "b"))
	res := (&Applier{Callers: callers}).Apply(context.Background(), context.Background(), plan)
	if c := res.Counts(); c != (ApplyCounts{Unknown: 2}) {
		t.Errorf("counts = %+v, want both sent, outcome unknown", c)
	}
	for _, r := range res.Results {
		msg := r.Err.Error()
		if !strings.HasPrefix(msg, "sent, outcome unknown: ") || !strings.Contains(msg, "may have ended") {
			t.Errorf("%s: %q, want it to start \"sent, outcome unknown\" and say the call may have ended", r.Change.CallID, msg)
		}
	}
	if msg := res.Results[0].Err.Error(); !strings.Contains(msg, "DisconnectPhoneCall not retried") || strings.Contains(msg, "GetPhoneCallInformation") {
		t.Errorf("a: %q, want it to name its own operation only", msg)
	}
}

type maybeAppliedErr struct{ error }

func (maybeAppliedErr) MaybeApplied() bool { return true }
func (e maybeAppliedErr) Unwrap() error    { return e.error }

func TestApplyNotFoundAfterUnansweredAttemptCountsAsDisconnected(t *testing.T) {
	f := newFake(map[string]string{"a": "Connected", "b": "Connected"})
	f.discErr["a"] = maybeAppliedErr{soap.ErrCallNotFound}
	f.discErr["b"] = soap.ErrCallNotFound
	callers := map[string]soap.Caller{"corp": f}
	plan, _ := (&Planner{Callers: callers}).Plan(context.Background(), calls("corp", "a", "b"))
	res := (&Applier{Callers: callers}).Apply(context.Background(), context.Background(), plan)
	if c := res.Counts(); c != (ApplyCounts{Disconnected: 1, AlreadyEnded: 1}) {
		t.Errorf("counts = %+v; want the retried one disconnected, the other already ended", c)
	}
}
