package operation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/journal"
	"github.com/callctl/callctl/lock"
	"github.com/callctl/callctl/planfile"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
)

// recorder is a view that keeps what it is told.
type recorder struct {
	mu        sync.Mutex
	diags     hcl.Diagnostics
	plans     []*reconcile.Plan
	planning  [2]int
	applying  int
	applied   *reconcile.ApplyResult
	cancelled bool
	retried   bool
	saved     []*SavedPlan
	snapshots []int // each data source's snapshot length, -1 for none
}

var _ ApplyView = (*recorder)(nil)

func (r *recorder) Diagnostics(d hcl.Diagnostics) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.diags = append(r.diags, d...)
}
func (r *recorder) SetConfigSources(map[string]*hcl.File) {}
func (r *recorder) Planning(calls, exchanges int)         { r.planning = [2]int{calls, exchanges} }
func (r *recorder) DataSourceRead(ds *config.DataSource) {
	n := len(ds.Snapshot)
	if ds.Snapshot == nil {
		n = -1
	}
	r.snapshots = append(r.snapshots, n)
}
func (r *recorder) Plan(p *reconcile.Plan)             { r.plans = append(r.plans, p) }
func (r *recorder) SavedPlan(sp *SavedPlan)            { r.saved = append(r.saved, sp) }
func (r *recorder) Retried(throttle.Stats)             { r.retried = true }
func (r *recorder) Hooks() []reconcile.Hook            { return nil }
func (r *recorder) Applying(n int)                     { r.applying = n }
func (r *recorder) Applied(res *reconcile.ApplyResult) { r.applied = res }
func (r *recorder) Cancelled()                         { r.cancelled = true }

// summaries lists the diagnostics' summaries, errors and warnings alike.
func (r *recorder) summaries() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, d := range r.diags {
		out = append(out, d.Summary)
	}
	return out
}

func (r *recorder) has(summary string) bool {
	for _, s := range r.summaries() {
		if s == summary {
			return true
		}
	}
	return false
}

// fixture is a simulator holding connected calls c-1 and c-2 and a policy
// declaring both.
type fixture struct {
	srv *exchsim.Server
	dir string
}

func newFixture(t *testing.T, latency time.Duration) *fixture {
	t.Helper()
	srv, err := exchsim.NewServer(exchsim.Options{
		Calls:   []exchsim.Call{{ID: "c-1", State: "Connected"}, {ID: "c-2", State: "Connected"}},
		Latency: latency,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, dir: t.TempDir()}
	f.writePolicy(t, `["c-1", "c-2"]`)
	return f
}

func (f *fixture) writePolicy(t *testing.T, ids string) {
	t.Helper()
	src := fmt.Sprintf(`
variable "url" {
  type = string
}

exchange "corp" {
  url = var.url
}

end_call "stuck" {
  for_each = toset(%s)
  exchange = exchange.corp
  call_id  = each.value
}
`, ids)
	if err := os.WriteFile(filepath.Join(f.dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) request() Request {
	return Request{
		Dir:            f.dir,
		Vars:           []string{"url=" + f.srv.EWSURL()},
		Connect:        exchange.Options{Parallelism: 1, Timeout: 10 * time.Second},
		MaxDisconnects: -1,
		Version:        "0.0.0-test",
	}
}

func (f *fixture) state(t *testing.T, id string) string {
	t.Helper()
	c, ok := f.srv.Call(id)
	if !ok {
		t.Fatalf("simulator lost call %s", id)
	}
	return c.State
}

func TestPlan(t *testing.T) {
	tests := map[string]struct {
		edit       func(*PlanRequest)
		wantStatus Status
		wantDiag   string
		wantPlan   bool
	}{
		"a plan of every call": {
			wantStatus: StatusOK, wantPlan: true,
		},
		"a policy error stops before any lookup": {
			edit:       func(r *PlanRequest) { r.Vars = nil },
			wantStatus: StatusError, wantDiag: "No value for required variable",
		},
		"an unmatched -exclude is an error": {
			edit:       func(r *PlanRequest) { r.Excludes = []string{"end_call.stuk"} },
			wantStatus: StatusError, wantDiag: "No call matches -exclude",
		},
		"-max-disconnects shows the plan, then refuses it": {
			edit:       func(r *PlanRequest) { r.MaxDisconnects = 1 },
			wantStatus: StatusError, wantDiag: "Plan exceeds -max-disconnects",
		},
		"a stopped plan says so": {
			edit:       func(r *PlanRequest) { r.Deadline = time.Nanosecond },
			wantStatus: StatusError, wantDiag: "Plan ran out of time",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, 0)
			req := &PlanRequest{Request: f.request()}
			if tc.edit != nil {
				tc.edit(req)
			}
			view := &recorder{}
			res := Plan(context.Background(), req, view)
			if res.Status != tc.wantStatus {
				t.Errorf("status %d, want %d; diagnostics %q", res.Status, tc.wantStatus, view.summaries())
			}
			if tc.wantDiag != "" && !view.has(tc.wantDiag) {
				t.Errorf("diagnostics %q lack %q", view.summaries(), tc.wantDiag)
			}
			if got := res.Plan != nil; got != tc.wantPlan {
				t.Fatalf("plan returned: %v, want %v", got, tc.wantPlan)
			}
			if tc.wantPlan {
				if n := res.Plan.Summary().ToDisconnect; n != 2 {
					t.Errorf("plan disconnects %d calls, want 2", n)
				}
				if view.planning != [2]int{2, 1} || len(view.plans) != 1 || !view.retried {
					t.Errorf("view told planning=%v, %d plans, retried=%v", view.planning, len(view.plans), view.retried)
				}
			}
			if f.state(t, "c-1") != "Connected" {
				t.Error("a plan disconnected a call")
			}
		})
	}
}

func TestPlanSavesAndApplyLoadsIt(t *testing.T) {
	f := newFixture(t, 0)
	req := &PlanRequest{Request: f.request(), Out: "p.plan"}
	req.Excludes = []string{`end_call.stuck["c-2"]`}
	planView := &recorder{}
	if res := Plan(context.Background(), req, planView); res.Status != StatusOK {
		t.Fatalf("plan status %d", res.Status)
	}
	path := filepath.Join(f.dir, "p.plan")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode %v, want 0600", info.Mode().Perm())
	}
	saved, err := planfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.CallctlVersion != "0.0.0-test" || len(saved.Plan.Changes) != 1 || strings.Join(saved.Inputs.Excludes, ",") != `end_call.stuck["c-2"]` {
		t.Errorf("saved plan: version %q, %d changes, excludes %q", saved.CallctlVersion, len(saved.Plan.Changes), saved.Inputs.Excludes)
	}

	// Applying it needs no confirmation, and ends only what it names.
	areq := &ApplyRequest{Request: Request{Dir: f.dir, Connect: f.request().Connect, Version: "0.0.0-test"}, PlanFile: "p.plan"}
	view := &recorder{}
	res := Apply(context.Background(), context.Background(), areq, view)
	if res.Status != StatusOK {
		t.Fatalf("apply status %d; diagnostics %q", res.Status, view.summaries())
	}
	if f.state(t, "c-1") != "Disconnected" || f.state(t, "c-2") != "Connected" {
		t.Errorf("after apply: c-1 %s, c-2 %s", f.state(t, "c-1"), f.state(t, "c-2"))
	}
	// The digest plan reported is the one apply reports and journals.
	if len(planView.saved) != 1 || len(view.saved) != 1 || planView.saved[0].Digest != view.saved[0].Digest || view.saved[0].Digest != saved.Digest() || !view.saved[0].Loaded {
		t.Errorf("digests reported: plan %+v, apply %+v; file %s", planView.saved, view.saved, saved.Digest())
	}
	entries := readJournal(t, areq.JournalPath())
	if entries[0].PlanHash != saved.Digest() {
		t.Errorf("journal records plan hash %q, want the digest %q", entries[0].PlanHash, saved.Digest())
	}
}

func TestApplySavedPlanRefusesChangedPolicy(t *testing.T) {
	tests := map[string]struct {
		edit     func(t *testing.T, f *fixture)
		wantDiag string
	}{
		"a policy file changed": {
			edit:     func(t *testing.T, f *fixture) { f.writePolicy(t, `["c-1", "c-2", "c-3"]`) },
			wantDiag: "Saved plan is stale",
		},
		"the plan file is missing": {
			edit:     func(t *testing.T, f *fixture) { os.Remove(filepath.Join(f.dir, "p.plan")) },
			wantDiag: "Failed to read the plan file",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, 0)
			if res := Plan(context.Background(), &PlanRequest{Request: f.request(), Out: "p.plan"}, &recorder{}); res.Status != StatusOK {
				t.Fatalf("plan status %d", res.Status)
			}
			tc.edit(t, f)
			view := &recorder{}
			areq := &ApplyRequest{Request: Request{Dir: f.dir, Connect: f.request().Connect}, PlanFile: "p.plan"}
			if res := Apply(context.Background(), context.Background(), areq, view); res.Status != StatusError {
				t.Errorf("status %d, want error", res.Status)
			}
			if !view.has(tc.wantDiag) {
				t.Errorf("diagnostics %q lack %q", view.summaries(), tc.wantDiag)
			}
			if f.state(t, "c-1") != "Connected" {
				t.Error("a refused plan disconnected a call")
			}
		})
	}
}

// refuse is a gate that refuses the disconnect of the calls it names.
type refuse struct {
	reconcile.NilHook
	ids map[string]bool
}

func (r refuse) Gate(c *reconcile.Change) error {
	if r.ids[c.CallID] {
		return errors.New("refused by the test")
	}
	return nil
}

func TestApply(t *testing.T) {
	tests := map[string]struct {
		edit       func(*ApplyRequest)
		wantStatus Status
		wantDiag   string
		wantState  map[string]string
		cancelled  bool
	}{
		"auto-approve ends every call": {
			edit:       func(r *ApplyRequest) { r.AutoApprove = true },
			wantStatus: StatusOK,
			wantState:  map[string]string{"c-1": "Disconnected", "c-2": "Disconnected"},
		},
		"confirmed ends every call": {
			edit: func(r *ApplyRequest) {
				r.Confirm = func(context.Context, int) (bool, hcl.Diagnostics) { return true, nil }
			},
			wantStatus: StatusOK,
			wantState:  map[string]string{"c-1": "Disconnected", "c-2": "Disconnected"},
		},
		"declined ends nothing": {
			edit: func(r *ApplyRequest) {
				r.Confirm = func(context.Context, int) (bool, hcl.Diagnostics) { return false, nil }
			},
			wantStatus: StatusDeclined, cancelled: true,
			wantState: map[string]string{"c-1": "Connected", "c-2": "Connected"},
		},
		"nobody to ask ends nothing": {
			edit: func(r *ApplyRequest) {
				r.Confirm = func(context.Context, int) (bool, hcl.Diagnostics) {
					return false, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Apply needs confirmation"}}
				}
			},
			wantStatus: StatusError, wantDiag: "Apply needs confirmation",
			wantState: map[string]string{"c-1": "Connected", "c-2": "Connected"},
		},
		"some refused is partial": {
			edit: func(r *ApplyRequest) {
				r.AutoApprove = true
				r.Hooks = []reconcile.Hook{refuse{ids: map[string]bool{"c-2": true}}}
			},
			wantStatus: StatusPartial,
			wantState:  map[string]string{"c-1": "Disconnected", "c-2": "Connected"},
		},
		"all refused is an error": {
			edit: func(r *ApplyRequest) {
				r.AutoApprove = true
				r.Hooks = []reconcile.Hook{refuse{ids: map[string]bool{"c-1": true, "c-2": true}}}
			},
			// One cause, one message: both calls in one diagnostic.
			wantStatus: StatusError, wantDiag: "Failed to disconnect calls",
			wantState: map[string]string{"c-1": "Connected", "c-2": "Connected"},
		},
		"nothing to do needs no confirmation": {
			edit: func(r *ApplyRequest) {
				r.Targets = []string{`end_call.stuck["c-1"]`}
				r.Confirm = func(context.Context, int) (bool, hcl.Diagnostics) { panic("asked") }
			},
			wantStatus: StatusOK,
			wantState:  map[string]string{"c-2": "Connected"},
		},
		"an unwritable journal sends nothing": {
			edit: func(r *ApplyRequest) {
				r.AutoApprove = true
				r.Journal = "main.hcl/journal.jsonl" // under a file
			},
			wantStatus: StatusError, wantDiag: "Cannot open the apply journal",
			wantState: map[string]string{"c-1": "Connected", "c-2": "Connected"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, 0)
			if name == "nothing to do needs no confirmation" {
				if err := f.srv.SetCalls([]exchsim.Call{{ID: "c-1", State: "Disconnected"}, {ID: "c-2", State: "Connected"}}); err != nil {
					t.Fatal(err)
				}
			}
			req := &ApplyRequest{Request: f.request()}
			tc.edit(req)
			view := &recorder{}
			res := Apply(context.Background(), context.Background(), req, view)
			if res.Status != tc.wantStatus {
				t.Errorf("status %d, want %d; diagnostics %q", res.Status, tc.wantStatus, view.summaries())
			}
			if tc.wantDiag != "" && !view.has(tc.wantDiag) {
				t.Errorf("diagnostics %q lack %q", view.summaries(), tc.wantDiag)
			}
			if view.cancelled != tc.cancelled {
				t.Errorf("cancelled = %v, want %v", view.cancelled, tc.cancelled)
			}
			for id, want := range tc.wantState {
				if got := f.state(t, id); got != want {
					t.Errorf("%s is %s, want %s", id, got, want)
				}
			}
			if res.Applied != nil {
				entries := readJournal(t, req.JournalPath())
				if last := entries[len(entries)-1]; last.Event != journal.EventRunEnd {
					t.Errorf("journal ends with %q, want the run's end", last.Event)
				}
			}
		})
	}
}

func TestApplyRefusesWhileLocked(t *testing.T) {
	f := newFixture(t, 0)
	lk, err := lock.Acquire(context.Background(), f.dir, 0, lock.Holder{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Release()
	req := &ApplyRequest{Request: f.request(), AutoApprove: true}
	view := &recorder{}
	if res := Apply(context.Background(), context.Background(), req, view); res.Status != StatusError {
		t.Errorf("status %d, want error", res.Status)
	}
	if !view.has("Policy directory is locked") {
		t.Errorf("diagnostics %q lack the lock", view.summaries())
	}
	if f.state(t, "c-1") != "Connected" {
		t.Error("a locked apply disconnected a call")
	}
}

func TestApplyInterruptedBeforeSendingEndsNothing(t *testing.T) {
	f := newFixture(t, 0)
	stop, interrupt := context.WithCancel(context.Background())
	req := &ApplyRequest{Request: f.request()}
	// The interrupt comes while the operator is being asked.
	req.Confirm = func(context.Context, int) (bool, hcl.Diagnostics) { interrupt(); return true, nil }
	view := &recorder{}
	if res := Apply(stop, context.Background(), req, view); res.Status != StatusError {
		t.Errorf("status %d, want error", res.Status)
	}
	if !view.cancelled || f.state(t, "c-1") != "Connected" {
		t.Errorf("cancelled=%v, c-1 %s", view.cancelled, f.state(t, "c-1"))
	}
}

// interruptOnSend cancels hard once the at-th disconnect (from 1) has
// been sent: a second Ctrl-C while it is in flight.
type interruptOnSend struct {
	reconcile.NilHook
	mu     sync.Mutex
	sent   int
	at     int
	cancel context.CancelFunc
}

func (h *interruptOnSend) PreDisconnect(*reconcile.Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sent++; h.sent == max(h.at, 1) {
		h.cancel()
	}
}

// A second interrupt abandons the apply: it names the call in flight,
// gives every call one outcome (in flight: sent, outcome unknown) and
// closes the journal, so that no disconnect still queued can be recorded
// as sent (a journal left open would accept them). With a call already
// disconnected it is a partial apply (exit 4), not "nothing was done".
func TestSecondInterruptClosesJournalAndNamesInFlight(t *testing.T) {
	tests := map[string]struct {
		at         int
		wantStatus Status
		want       reconcile.ApplyCounts
	}{
		"first in flight":        {at: 1, wantStatus: StatusError, want: reconcile.ApplyCounts{Unknown: 1, NotStarted: 1}},
		"after one disconnected": {at: 2, wantStatus: StatusPartial, want: reconcile.ApplyCounts{Disconnected: 1, Unknown: 1}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, 200*time.Millisecond)
			hard, cancel := context.WithCancel(context.Background())
			defer cancel()
			req := &ApplyRequest{Request: f.request(), AutoApprove: true}
			after := &slowHook{}
			req.Hooks = []reconcile.Hook{&interruptOnSend{at: tc.at, cancel: cancel}, after}
			view := &recorder{}
			res := Apply(context.Background(), hard, req, view)
			if res.Status != tc.wantStatus {
				t.Errorf("status %d, want %d", res.Status, tc.wantStatus)
			}
			if view.applied == nil || view.applied != res.Applied || !res.Applied.Abandoned {
				t.Fatalf("no abandoned apply result shown: %+v", res.Applied)
			}
			if got := res.Applied.Counts(); got != tc.want {
				t.Errorf("counts %+v, want %+v", got, tc.want)
			}
			inFlight := fmt.Sprintf(`end_call.stuck["c-%d"]`, tc.at)
			var abandoned *hcl.Diagnostic
			for _, d := range view.diags {
				if d.Summary == "Apply abandoned" {
					abandoned = d
				}
			}
			if abandoned == nil || !strings.Contains(abandoned.Detail, inFlight) || !strings.Contains(abandoned.Detail, "sent, outcome unknown") {
				t.Fatalf("no abandonment naming %s as sent, outcome unknown: %+v", inFlight, view.diags)
			}
			for _, r := range res.Applied.Results {
				if r.Err != nil && errors.Is(r.Err, context.Canceled) {
					t.Errorf("%s reported as %v; want sent, outcome unknown", r.Change.Address, r.Err)
				}
			}
			entries := readJournal(t, req.JournalPath())
			if last := entries[len(entries)-1]; last.Event != journal.EventRunEnd {
				t.Errorf("journal left open after the second interrupt: last line %q", last.Event)
			}
			// The applier has ended with Apply: once the lock is
			// released, nothing of this run may still be at work.
			if started, finished := after.started.Load(), after.finished.Load(); started != finished {
				t.Errorf("%d of %d hook calls still running when Apply returned: the applier outlived the lock", started-finished, started)
			}
		})
	}
}

// slowHook takes its time over every outcome, as a hook writing to a
// slow disk would, counting the calls begun and ended.
type slowHook struct {
	reconcile.NilHook
	started, finished atomic.Int32
}

func (h *slowHook) PostDisconnect(*reconcile.Result) {
	h.started.Add(1)
	time.Sleep(150 * time.Millisecond)
	h.finished.Add(1)
}

func readJournal(t *testing.T, path string) []journal.Entry {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	entries, err := journal.Read(fh)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("empty journal")
	}
	return entries
}

func TestReadJournal(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, 0)
	req := &ApplyRequest{Request: f.request(), AutoApprove: true, Journal: filepath.Join(dir, "j.jsonl")}
	if res := Apply(context.Background(), context.Background(), req, &recorder{}); res.Status != StatusOK {
		t.Fatalf("apply status %d", res.Status)
	}
	statuses, diags := ReadJournal(req.JournalPath())
	if diags.HasErrors() || len(statuses) != 2 || statuses[0].Status != "disconnected" {
		t.Fatalf("statuses %+v, diags %v", statuses, diags)
	}

	// A line cut short by a crash is a warning; the rest is still read.
	fh, err := os.OpenFile(req.JournalPath(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteString(`{"v":1,"event":"inte`)
	fh.Close()
	statuses, diags = ReadJournal(req.JournalPath())
	if len(diags) != 1 || diags[0].Summary != "Journal has damaged lines" || diags.HasErrors() || len(statuses) != 2 {
		t.Errorf("damaged journal: %d statuses, diags %v", len(statuses), diags)
	}

	if _, diags := ReadJournal(filepath.Join(dir, "none.jsonl")); !diags.HasErrors() || diags[0].Summary != "Cannot read the journal" ||
		!strings.HasPrefix(diags[0].Detail, "There is no journal at ") || strings.Contains(diags[0].Detail, "stat ") {
		t.Errorf("missing journal: diags %v", diags)
	}
	if got, want := JournalPath("/p", ""), filepath.Join("/p", journal.DefaultPath); got != want {
		t.Errorf("default journal %q, want %q", got, want)
	}
	if got := JournalPath("/p", "/abs/j"); got != "/abs/j" {
		t.Errorf("absolute journal resolved to %q", got)
	}
}

// A missing plan file is said plainly, not as Go's "open PATH: no such
// file or directory" after the path once more.
func TestReadPlanFileMissing(t *testing.T) {
	_, diags := ReadPlanFile(t.TempDir(), "none.plan")
	if len(diags) != 1 || diags[0].Summary != "Failed to read the plan file" ||
		!strings.HasPrefix(diags[0].Detail, "There is no plan file at none.plan.") || strings.Contains(diags[0].Detail, "open ") {
		t.Errorf("diagnostics %v", diags)
	}
}
