package operation

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/journal"
	"github.com/callctl/callctl/reconcile"
)

// newFailingFixture is the fixture with a server that answers every
// request about c-2 with an HTML 500 page.
func newFailingFixture(t *testing.T) *fixture {
	t.Helper()
	srv, err := exchsim.NewServer(exchsim.Options{
		Calls:  []exchsim.Call{{ID: "c-1", State: "Connected"}, {ID: "c-2", State: "Connected"}, {ID: "c-3", State: "Connected"}},
		Faults: exchsim.Faults{FailCalls: []string{"c-2"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, dir: t.TempDir()}
	f.writePolicy(t, `["c-1", "c-2", "c-3"]`)
	return f
}

func quickRetries(r *Request) {
	r.Connect.MaxAttempts = 2
	r.Connect.Timeout = 2 * time.Second
}

// One call whose lookup fails after its attempts: plan refuses (it
// cannot show that call's state), apply fails that call with its reason
// and ends the others.
func TestApplyFailsOnlyTheCallNotLookedUp(t *testing.T) {
	f := newFailingFixture(t)

	preq := &PlanRequest{Request: f.request()}
	quickRetries(&preq.Request)
	pview := &recorder{}
	if res := Plan(context.Background(), preq, pview); res.Status != StatusError || !pview.has("Failed to look up call") {
		t.Fatalf("plan: status %v, diagnostics %q; want an error naming the failed lookup", res.Status, pview.summaries())
	}

	req := &ApplyRequest{Request: f.request(), AutoApprove: true}
	quickRetries(&req.Request)
	view := &recorder{}
	res := Apply(context.Background(), context.Background(), req, view)
	if res.Status != StatusPartial {
		t.Fatalf("status %v, want partial; diagnostics %q", res.Status, view.summaries())
	}
	v := res.Applied.Verdict()
	if v.Verdict != reconcile.VerdictPartlyFailed || v.Disconnected != 2 || v.Failed != 1 {
		t.Errorf("verdict %+v, want partly failed, 2 disconnected, 1 failed", v)
	}
	for _, id := range []string{"c-1", "c-3"} {
		if s := f.state(t, id); s != "Disconnected" {
			t.Errorf("%s is %s, want Disconnected", id, s)
		}
	}
	if s := f.state(t, "c-2"); s != "Connected" {
		t.Errorf("c-2 is %s, want left Connected", s)
	}
	var failed *reconcile.Result
	for _, r := range res.Applied.Failures() {
		if r.Change.CallID == "c-2" {
			failed = r
		}
	}
	var le *reconcile.LookupError
	switch {
	case failed == nil:
		t.Fatal("c-2 is not among the failures")
	case !reconcile.NotLookedUp(failed) || !errors.As(failed.Err, &le):
		t.Errorf("c-2: %v, want a lookup error", failed.Err)
	case !strings.HasPrefix(failed.Err.Error(), "not looked up: ") || !strings.Contains(failed.Err.Error(), "HTTP 500"):
		t.Errorf("c-2: %q, want \"not looked up: ...\" with the server's answer", failed.Err)
	}
	if !view.has("Failed to look up call") || view.has("Failed to disconnect call") {
		t.Errorf("diagnostics %q, want one lookup failure and no disconnect failure", view.summaries())
	}

	// The journal lists the disconnects sent, and its run's counts are
	// the verdict's.
	var outcomes int
	for _, e := range readJournal(t, req.JournalPath()) {
		if e.CallID == "c-2" {
			t.Errorf("journal has a %s line for c-2, which was never sent", e.Event)
		}
		if e.Event == journal.EventOutcome {
			outcomes++
		}
	}
	if outcomes != 2 {
		t.Errorf("journal holds %d outcomes, want 2", outcomes)
	}
}

// -not-found=error still refuses the apply before anything is sent, even
// with a call that could not be looked up.
func TestApplyNotFoundErrorRefusesDespiteFailedLookup(t *testing.T) {
	f := newFailingFixture(t)
	f.writePolicy(t, `["c-1", "c-2", "c-9"]`)
	req := &ApplyRequest{Request: f.request(), AutoApprove: true}
	quickRetries(&req.Request)
	req.NotFound = reconcile.NotFoundError
	view := &recorder{}
	res := Apply(context.Background(), context.Background(), req, view)
	if res.Status != StatusError || res.Applied != nil {
		t.Fatalf("status %v, applied %v; want refused", res.Status, res.Applied != nil)
	}
	if s := f.state(t, "c-1"); s != "Connected" {
		t.Errorf("c-1 is %s, want left Connected", s)
	}
}

// Asked to confirm, the operator is told first that some calls could not
// be looked up; declining sends nothing.
func TestApplyWarnsOfCallsNotLookedUpBeforeConfirming(t *testing.T) {
	f := newFailingFixture(t)
	req := &ApplyRequest{Request: f.request()}
	quickRetries(&req.Request)
	view := &recorder{}
	var asked int
	req.Confirm = func(_ context.Context, n int) (bool, hcl.Diagnostics) {
		asked = n
		if !view.has("Some calls could not be looked up") {
			t.Errorf("asked to confirm before the warning; diagnostics %q", view.summaries())
		}
		return false, nil
	}
	res := Apply(context.Background(), context.Background(), req, view)
	if res.Status != StatusDeclined || asked != 2 {
		t.Fatalf("status %v, asked to end %d calls; want declined after asking about 2", res.Status, asked)
	}
	if s := f.state(t, "c-1"); s != "Connected" {
		t.Errorf("c-1 is %s after declining", s)
	}
}
