package operation

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/journal"
	"github.com/callctl/callctl/lock"
	"github.com/callctl/callctl/reconcile"
)

// ApplyRequest is "callctl apply": a Request, and how to carry it out.
type ApplyRequest struct {
	Request
	// PlanFile is a saved plan to apply; empty means make a fresh plan.
	PlanFile string
	// AutoApprove skips Confirm. A saved plan is never confirmed: it was
	// reviewed when it was made.
	AutoApprove bool
	// Confirm asks the operator whether to disconnect n calls. It must
	// return false once stop is done. Required unless AutoApprove.
	Confirm func(stop context.Context, n int) (bool, hcl.Diagnostics)
	// Journal is the journal file; empty means journal.DefaultPath in Dir,
	// or journal.jsonl in StateDir when set.
	Journal string
	// StateDir, when set, holds the apply lock (and the default journal)
	// in place of Dir's .callctl/, so that the policy directory may be
	// read-only (a service's StateDirectory).
	StateDir string
	// LockTimeout is how long to wait for another apply on the same
	// policy to finish; 0 means fail at once.
	LockTimeout time.Duration
	// Phase, when set, is kept up to date with the apply's phase, so
	// that an interrupt can be acknowledged truthfully.
	Phase *PhaseRecorder
}

// JournalPath is the journal file the request writes.
func (r *ApplyRequest) JournalPath() string {
	if r.Journal == "" && r.StateDir != "" {
		return filepath.Join(r.path(r.StateDir), filepath.Base(journal.DefaultPath))
	}
	return JournalPath(r.Dir, r.Journal)
}

// Apply plans (or loads a saved plan), confirms and disconnects. When stop
// is done nothing new starts; when hard is done, what is in flight is
// abandoned and named. The request's Deadline acts as both at once, except
// that the outcome of every call is still reported.
func Apply(stop, hard context.Context, req *ApplyRequest, view ApplyView) *Result {
	req.Phase.set(PhasePreparing)
	defer req.Phase.set(PhaseFinished)
	stop, cancelStop := withDeadline(stop, req.Deadline)
	defer cancelStop()
	hard, cancelHard := withDeadline(hard, req.Deadline)
	defer cancelHard()

	// Two applies on one policy at once would race to end the same calls
	// and interleave their journals: the second waits, then refuses.
	stateDir := filepath.Join(req.Dir, filepath.Dir(lock.FileName))
	if req.StateDir != "" {
		stateDir = req.path(req.StateDir)
	}
	lk, err := lock.AcquireIn(stop, stateDir, req.LockTimeout, lock.Holder{Command: "callctl apply"})
	if err != nil {
		view.Diagnostics(hcl.Diagnostics{lockDiagnostic(err)})
		return &Result{Status: StatusError}
	}
	defer lk.Release()

	var p *Planned
	var diags hcl.Diagnostics
	if req.PlanFile != "" {
		p, diags = LoadSavedPlan(&req.Request, req.PlanFile, view)
		if !diags.HasErrors() {
			diags = append(diags, checkNotFound(&req.Request, p.Plan, view)...)
		}
	} else {
		req.carryLookupFailures = true
		p, diags = MakePlan(stop, &req.Request, view)
	}
	defer p.Close()
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return &Result{Status: StatusError}
	}
	if req.PlanFile != "" {
		// MakePlan showed them; a saved plan's policy was loaded again.
		diags = append(diags, p.secrets().Diagnostics(failedCallDiagnostics(p.inputs.policy))...)
	}
	view.Diagnostics(diags)
	view.Plan(p.Plan)
	res := &Result{Plan: p.Plan}
	// Calls an earlier, killed apply left "sent, outcome unknown" are
	// settled in the journal once this run's lookup finds them over.
	if err := journal.RecordLookups(req.JournalPath(), journal.RunMeta{Version: req.Version, PolicyDir: req.absDir(), PlanHash: p.PlanHash}, p.Plan); err != nil {
		view.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Journal not updated",
			Detail:   fmt.Sprintf("%s. This run found calls over that an earlier apply left with an unknown outcome, but could not record it; \"callctl show -journal\" goes on listing them as unknown.", capitalize(err.Error())),
		}})
	}
	n := p.Plan.Summary().ToDisconnect
	failed := len(p.Plan.NotLookedUp)
	if n == 0 && failed == 0 {
		if p.Plan.FailedToLoad > 0 {
			// Nothing to end, but calls the policy selects failed: as
			// apply's verdict when none of its calls was ended (exit 1).
			res.Status = StatusError
		}
		return res
	}

	if req.PlanFile == "" && !req.AutoApprove && n > 0 {
		if failed > 0 {
			view.Diagnostics(hcl.Diagnostics{notLookedUpWarning(failed)})
		}
		ok, diags := req.Confirm(stop, n)
		if diags.HasErrors() {
			view.Diagnostics(diags)
			res.Status = StatusError
			return res
		}
		if !ok {
			view.Cancelled()
			res.Status = StatusDeclined
			return res
		}
	}
	if stop.Err() != nil {
		view.Cancelled()
		res.Status = StatusError
		return res
	}
	return p.applyJournalled(stop, hard, req, view, res, n)
}

// applyJournalled carries out a confirmed plan: journal, apply, summary. A
// second interrupt (hard) abandons the calls in flight and names them.
func (p *Planned) applyJournalled(stop, hard context.Context, req *ApplyRequest, view ApplyView, res *Result, n int) *Result {
	inFlight := newInFlight()
	// Every disconnect is journalled (intent before it is sent, outcome
	// after), so that even a killed apply leaves a record of what it did.
	jpath := req.JournalPath()
	j, err := journal.Open(jpath, journal.RunMeta{Version: req.Version, PolicyDir: req.absDir(), PlanHash: p.PlanHash})
	if err != nil {
		view.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot open the apply journal",
			Detail:   fmt.Sprintf("%s. Nothing was disconnected: callctl records every disconnect before sending it. Fix the path or its permissions, or choose another file with -journal.", capitalize(strings.TrimPrefix(err.Error(), "journal: "))),
		}})
		res.Status = StatusError
		return res
	}

	req.Phase.set(PhaseDisconnecting)
	if n > 0 {
		view.Applying(n)
	}
	viewHooks := &mutable{hooks: view.Hooks()}
	opts := ApplyOptions{
		// The backend's own records (in flight, journal intent) come
		// before the caller's hooks, so that whatever a caller's hook
		// does on a send (log, or in tests interrupt) finds the call
		// already recorded as sent.
		Hooks:   append([]reconcile.Hook{viewHooks, inFlight, j}, req.Hooks...),
		Recheck: req.PlanFile != "",
	}
	done := make(chan *reconcile.ApplyResult, 1)
	go func() { done <- p.Apply(stop, hard, opts) }()
	select {
	case res.Applied = <-done:
	case <-hard.Done():
		if errors.Is(hard.Err(), context.DeadlineExceeded) {
			res.Applied = <-done // cut-off requests return at once
		}
	}
	if res.Applied == nil {
		// Second interrupt: leave now, giving every call one outcome
		// (those in flight: sent, outcome unknown) and naming those to
		// check. Closing the journal makes any disconnect not yet sent
		// refuse to go.
		viewHooks.mute()
		res.Applied = inFlight.abandoned(p.Plan)
		closeErr := j.Close(res.Applied.Counts())
		view.Applied(res.Applied)
		diags := hcl.Diagnostics{abandonedDiagnostic(inFlight.list(), jpath)}
		if closeErr != nil {
			diags = append(diags, journalDiagnostic(jpath, closeErr))
		}
		view.Diagnostics(diags)
		res.Status = applyStatus(res.Applied)
		// The applier's requests are cancelled and the closed journal
		// refuses any disconnect not yet sent, so it ends at once; it
		// must end before the lock is released and the clients closed,
		// or a next apply could start beside it.
		waitApplier(done)
		return res
	}
	if hard.Err() != nil && !errors.Is(hard.Err(), context.DeadlineExceeded) {
		res.Applied.Abandoned = true // the second interrupt came as the last answers did
	}
	view.Applied(res.Applied)
	view.Diagnostics(p.secrets().Diagnostics(reconcile.ApplyFailureDiagnostics(res.Applied))) // one per exchange and cause
	view.Retried(p.RetryStats())
	res.Status = applyStatus(res.Applied)
	if err := j.Close(res.Applied.Counts()); err != nil {
		view.Diagnostics(hcl.Diagnostics{journalDiagnostic(jpath, err)})
		if res.Status == StatusOK {
			res.Status = StatusPartial // every call ended, but the record of it is incomplete
		}
	}
	return res
}

// applierGrace bounds the wait for an abandoned applier: its requests are
// cancelled, so it needs milliseconds; a second Ctrl-C must leave at once
// even if something underneath ignores cancellation.
const applierGrace = 5 * time.Second

// waitApplier waits for an abandoned applier's result, for at most
// applierGrace.
func waitApplier(done <-chan *reconcile.ApplyResult) {
	t := time.NewTimer(applierGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// ApplyOptions are how Planned.Apply runs.
type ApplyOptions struct {
	// Hooks are told of every disconnect; a hook that is a
	// reconcile.Gate can refuse one.
	Hooks []reconcile.Hook
	// Recheck looks each call up again just before its disconnect.
	Recheck bool
}

// Apply disconnects what the plan marks, with the plan's clients and the
// request's parallelism, and no journal or lock: the step Apply takes once
// those are in place, and what callbench measures.
func (p *Planned) Apply(stop, hard context.Context, opts ApplyOptions) *reconcile.ApplyResult {
	applier := &reconcile.Applier{
		Callers:     p.Clients.Callers(),
		Parallelism: p.req.Connect.Parallelism,
		Hooks:       opts.Hooks,
		Recheck:     opts.Recheck,
	}
	return applier.Apply(stop, hard, p.Plan)
}

// applyStatus maps an apply's verdict to a status: how much of its goal
// it met, whatever stopped it.
func applyStatus(res *reconcile.ApplyResult) Status {
	return [...]Status{
		reconcile.EndedAll:  StatusOK,
		reconcile.EndedSome: StatusPartial,
		reconcile.EndedNone: StatusError,
	}[res.Verdict().Extent()]
}

// notLookedUpWarning tells the operator, before they confirm, that some
// calls could not be looked up and will be reported as failed.
func notLookedUpWarning(n int) *hcl.Diagnostic {
	calls := "1 call"
	if n != 1 {
		calls = fmt.Sprintf("%d calls", n)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "Some calls could not be looked up",
		Detail:   fmt.Sprintf("%s could not be looked up, so will not be disconnected; the apply reports each as failed, with the reason, when it ends. Confirming disconnects the others.", calls),
	}
}
