package views

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/internal/shellquote"
	"github.com/callctl/callctl/internal/visible"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/throttle"

	"github.com/callctl/callctl/reconcile"
)

// OperationHuman renders plan and apply for a person.
type OperationHuman struct {
	*View
	mu                   sync.Mutex
	lookups, disconnects *progress
}

var _ Operation = (*OperationHuman)(nil)

func (v *OperationHuman) Planning(calls, exchanges int) {
	v.printf("Looking up %d %s on %d %s...\n", calls, plural(calls, "call", "calls"), exchanges, plural(exchanges, "exchange", "exchanges"))
	v.mu.Lock()
	v.lookups = v.startProgress("Looked up", calls)
	v.mu.Unlock()
}

func (v *OperationHuman) currentLookups() *progress {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.lookups
}

func (v *OperationHuman) currentDisconnects() *progress {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.disconnects
}

// Diagnostics stops the lookup progress first, so that its status line
// does not run into the diagnostics.
func (v *OperationHuman) Diagnostics(diags hcl.Diagnostics) {
	if len(diags) > 0 {
		v.currentLookups().finish()
		v.mu.Lock()
		v.lookups = nil
		v.mu.Unlock()
	}
	v.View.Diagnostics(diags)
}

func (v *OperationHuman) Plan(plan *reconcile.Plan) {
	v.currentLookups().finish()
	v.mu.Lock()
	v.lookups = nil
	v.mu.Unlock()
	// Streamed rather than built in memory: a plan of 100,000 calls is
	// tens of megabytes of text.
	v.View.mu.Lock()
	defer v.View.mu.Unlock()
	v.clearStatus()
	w := bufio.NewWriter(v.streams.Out)
	v.WritePlan(w, plan)
	_ = w.Flush()
}

// PlanNextStep's command repeats the -chdir plan was given: the plan
// file's path is relative to it, and the plan belongs to that policy.
func (v *OperationHuman) PlanNextStep(chdir, saved string) {
	if v.InAutomation() {
		// A pipeline runs its own next step; say only where the plan is.
		if saved != "" {
			v.printf("\nSaved the plan to: %s\n", saved)
		}
		return
	}
	if saved != "" {
		cmd := "callctl"
		if chdir != "" && chdir != "." {
			cmd += " -chdir=" + shellquote.Quote(chdir)
		}
		v.printf("\nSaved the plan to: %s\n\nTo disconnect exactly these calls, run:\n    %s apply %s\n", saved, cmd, shellquote.Quote(saved))
		return
	}
	v.printf("\nNote: you didn't use the -out option to save this plan, so callctl can't\nguarantee to take exactly these actions if you run \"callctl apply\" now:\ncalls may change state in the meantime.\n")
}

func (v *OperationHuman) Hooks() []reconcile.Hook {
	return []reconcile.Hook{
		&humanApplyHook{v: v},
		&progressHook{lookups: v.currentLookups, disconnects: v.currentDisconnects},
	}
}

func (v *OperationHuman) Applying(n int) {
	v.printf("\nDisconnecting %d %s...\n", n, plural(n, "call", "calls"))
	v.mu.Lock()
	v.disconnects = v.startProgress("Finished", n)
	v.mu.Unlock()
}

func (v *OperationHuman) Applied(res *reconcile.ApplyResult) {
	v.currentDisconnects().finish()
	verdict := res.Verdict()
	color := ansiYellow
	switch verdict.Verdict {
	case reconcile.VerdictComplete:
		color = ansiGreen
	case reconcile.VerdictFailed:
		color = ansiRed
	}
	v.printf("\n%s\n", v.paint(ApplySummaryLine(verdict), ansiBold, color))
	if fails := res.Failures(); len(fails) > 0 {
		v.printf("\n%s", failureTable(fails))
	}
}

// failureTable lists the calls that were not ended, with the reason.
func failureTable(fails []*reconcile.Result) string {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "Calls not disconnected:\n")
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ADDRESS\tEXCHANGE\tCALL ID\tREASON")
	for _, r := range fails {
		msg := "not started"
		if r.Err != nil {
			msg = oneLine(r.Err.Error())
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.Change.Address, r.Change.Exchange, quote(r.Change.CallID), msg)
	}
	_ = tw.Flush()
	return buf.String()
}

// oneLine puts error text, which quotes servers and commands, on one line
// with whatever a terminal would obey made visible.
func oneLine(s string) string { return visible.Text(strings.Join(strings.Fields(s), " ")) }

// Stopping speaks of disconnects in flight only once some may be: an
// interrupt at the confirmation prompt or during the lookups stops a run
// that has sent nothing.
func (v *OperationHuman) Stopping(phase operation.Phase) {
	if phase == operation.PhasePreparing {
		v.printf("\nInterrupt received: stopping. No disconnect has been sent.\n")
		return
	}
	v.printf("\nInterrupt received: stopping. No further disconnects will be started;\nthose already sent are allowed to finish. Interrupt again to abandon them.\n")
}

func (v *OperationHuman) Cancelled() {
	v.printf("\nApply cancelled: nothing was disconnected.\n")
}

// humanApplyHook prints one line as each call's disconnect completes.
type humanApplyHook struct {
	reconcile.NilHook
	v *OperationHuman
}

func (h *humanApplyHook) PostDisconnect(r *reconcile.Result) {
	c := r.Change
	d := r.Duration.Round(time.Millisecond)
	switch r.Outcome {
	case reconcile.OutcomeDisconnected:
		h.v.printf("%s: %s after %s [call_id=%s exchange=%s]\n", c.Address, h.v.paint("Disconnected", ansiGreen), d, quote(c.CallID), c.Exchange)
	case reconcile.OutcomeAlreadyEnded:
		h.v.printf("%s: Already ended [call_id=%s exchange=%s]\n", c.Address, quote(c.CallID), c.Exchange)
	case reconcile.OutcomeLeftAlone:
		h.v.printf("%s: Left alone, state no longer in only_in_states [call_id=%s exchange=%s]\n", c.Address, quote(c.CallID), c.Exchange)
	case reconcile.OutcomeUnknown:
		h.v.printf("%s: %s [call_id=%s exchange=%s]%s\n", c.Address, h.v.paint("Sent, outcome unknown", ansiYellow), quote(c.CallID), c.Exchange, unknownWhy(r.Err, ": "))
	case reconcile.OutcomeFailed:
		h.v.printf("%s: %s [call_id=%s exchange=%s]: %s\n", c.Address, h.v.paint("Failed", ansiRed), quote(c.CallID), c.Exchange, oneLine(r.Err.Error()))
	}
}

func (v *OperationHuman) Retried(s throttle.Stats) {
	if s.Retries == 0 {
		return
	}
	v.printf("\nNote: %d %s retried after transient failures; the exchanges asked callctl to slow down %d %s (%s spent waiting).\n",
		s.Retries, plural(int(s.Retries), "request was", "requests were"), s.Throttled, plural(int(s.Throttled), "time", "times"), s.Backoff.Round(time.Millisecond))
}

// unknownWhy is what stopped a "sent, outcome unknown" disconnect short of
// an answer, after sep, or "" when it was the second interrupt (which the
// run's own message already tells).
func unknownWhy(err error, sep string) string {
	if err == nil || errors.Is(err, reconcile.ErrSentOutcomeUnknown) {
		return ""
	}
	return sep + oneLine(strings.TrimPrefix(err.Error(), "sent, outcome unknown: "))
}
