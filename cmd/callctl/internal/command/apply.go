package command

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/version"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/journal"
	"github.com/callctl/callctl/lock"
	"github.com/callctl/callctl/reconcile"
)

// ApplyCommand is "callctl apply".
type ApplyCommand struct{ *Meta }

// Run runs apply.
func (c *ApplyCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParseApply(rawArgs)
	view := views.NewOperation(args.ViewType, views.NewView(c.Streams, args.NoColor))
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}

	stop, hard, release := interrupts(view.Stopping)
	defer release()
	// -deadline bounds the whole run: when it passes, nothing new starts
	// and what is in flight is cut off, as with two interrupts, except
	// that the outcome of every call is still reported.
	stop, cancelStop := withDeadline(stop, args.Deadline)
	defer cancelStop()
	hard, cancelHard := withDeadline(hard, args.Deadline)
	defer cancelHard()

	// Two applies on one policy at once would race to end the same calls
	// and interleave their journals: the second waits, then refuses.
	lk, err := lock.Acquire(stop, c.Dir, args.LockTimeout, lock.Holder{Command: "callctl apply"})
	if err != nil {
		view.Diagnostics(hcl.Diagnostics{lockDiagnostic(err)})
		return ExitError
	}
	defer lk.Release()

	var p *planned
	if args.PlanFile != "" {
		p, diags = c.loadSavedPlan(args, view)
	} else {
		p, diags = c.makePlan(stop, &args.Operation, view)
	}
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	defer reconcile.CloseAll(p.callers)
	view.Diagnostics(diags)
	view.Plan(p.plan)
	// Calls an earlier, killed apply left "sent, outcome unknown" are
	// settled in the journal once this run's lookup finds them over.
	if err := journal.RecordLookups(c.journalPath(args.Journal), journal.RunMeta{Version: version.Version, PolicyDir: c.absDir(), PlanHash: p.planHash}, p.plan); err != nil {
		view.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Journal not updated",
			Detail:   fmt.Sprintf("%s. This run found calls over that an earlier apply left with an unknown outcome, but could not record it; \"callctl show -journal\" goes on listing them as unknown.", capitalize(strings.TrimPrefix(err.Error(), "journal: "))),
		}})
	}
	n := p.plan.Summary().ToDisconnect
	if n == 0 {
		return ExitOK
	}

	if args.PlanFile == "" && !args.AutoApprove {
		ok, diags := c.confirm(stop, n, args.ViewType)
		if diags.HasErrors() {
			view.Diagnostics(diags)
			return ExitError
		}
		if !ok {
			view.Cancelled()
			return ExitDeclined
		}
	}
	if stop.Err() != nil {
		view.Cancelled()
		return ExitError
	}

	return c.disconnectAll(stop, hard, args, view, p, n)
}

// disconnectAll carries out a confirmed plan: journal, apply, summary. A
// second interrupt (hard) abandons the calls in flight and names them.
func (c *ApplyCommand) disconnectAll(stop, hard context.Context, args *arguments.Apply, view views.Operation, p *planned, n int) int {
	inFlight := &inFlightHook{calls: map[string]bool{}}
	// Every disconnect is journalled (intent before it is sent, outcome
	// after), so that even a killed apply leaves a record of what it did.
	jpath := c.journalPath(args.Journal)
	j, err := journal.Open(jpath, journal.RunMeta{Version: version.Version, PolicyDir: c.absDir(), PlanHash: p.planHash})
	if err != nil {
		view.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot open the apply journal",
			Detail:   fmt.Sprintf("%s. Nothing was disconnected: callctl records every disconnect before sending it. Fix the path or its permissions, or choose another file with -journal.", capitalize(strings.TrimPrefix(err.Error(), "journal: "))),
		}})
		return ExitError
	}

	view.Applying(n)
	applier := &reconcile.Applier{
		Callers:     p.callers,
		Parallelism: args.Parallelism,
		Hooks:       append(c.hooks(view), inFlight, j),
		Recheck:     args.PlanFile != "",
	}
	done := make(chan *reconcile.ApplyResult, 1)
	go func() { done <- applier.Apply(stop, hard, p.plan) }()
	var res *reconcile.ApplyResult
	select {
	case res = <-done:
	case <-hard.Done():
		if errors.Is(hard.Err(), context.DeadlineExceeded) {
			res = <-done // cut-off requests return at once
		}
	}
	if hard.Err() != nil && !errors.Is(hard.Err(), context.DeadlineExceeded) {
		// Second interrupt: leave now, and say which disconnects were sent
		// but not confirmed, so the operator knows what to check. Closing
		// the journal makes any disconnect not yet sent refuse to go.
		_ = j.Close(reconcile.ApplyCounts{})
		view.Diagnostics(hcl.Diagnostics{abandonedDiagnostic(inFlight.list(), jpath)})
		return ExitError
	}
	view.Applied(res)
	view.Retried(reconcile.RetryStats(p.callers))
	code := applyExitCode(res)
	if err := j.Close(res.Counts()); err != nil {
		view.Diagnostics(hcl.Diagnostics{journalDiagnostic(jpath, err)})
		if code == ExitOK {
			code = ExitPartial // every call ended, but the record of it is incomplete
		}
	}
	return code
}

// lockDiagnostic words a failure to take the apply lock: held by another
// apply, interrupted while waiting, or not creatable at all.
func lockDiagnostic(err error) *hcl.Diagnostic {
	detail := capitalize(strings.TrimPrefix(err.Error(), "lock: "))
	if !strings.HasSuffix(detail, ".") {
		detail += "."
	}
	var held *lock.HeldError
	switch {
	case errors.As(err, &held):
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Policy directory is locked", Detail: detail}
	case errors.Is(err, context.Canceled):
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Apply interrupted", Detail: "Interrupted while waiting for another apply on this policy to finish. Nothing was disconnected."}
	default:
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot create the apply lock", Detail: detail + " callctl apply locks the policy directory so that two applies cannot run at once; it needs to write .callctl/ there. Nothing was disconnected."}
	}
}

func journalDiagnostic(path string, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Journal could not be written",
		Detail:   fmt.Sprintf("Writing the apply journal %s failed: %s. Disconnects after the failure were not sent. Check the calls' state with \"callctl plan\".", path, err),
	}
}

// applyExitCode maps an apply's outcome to the documented exit code.
func applyExitCode(res *reconcile.ApplyResult) int {
	c := res.Counts()
	switch {
	case c.Failed == 0 && c.NotStarted == 0:
		return ExitOK
	case c.Disconnected == 0:
		return ExitError
	default:
		return ExitPartial
	}
}

// confirm asks the operator to type "yes". Without a terminal to ask on it
// refuses rather than wait on input that will never come.
func (c *ApplyCommand) confirm(stop context.Context, n int, vt arguments.ViewType) (bool, hcl.Diagnostics) {
	if !c.Streams.InIsTerminal || vt == arguments.ViewJSON {
		return false, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Apply needs confirmation",
			Detail:   "callctl apply asks for confirmation before disconnecting calls, but standard input is not a terminal (or -json was given), so it cannot ask. Nothing was disconnected. Review the plan and rerun with -auto-approve, or apply a saved plan made with \"callctl plan -out=FILE\".",
		}}
	}
	fmt.Fprintf(c.Streams.Out, "\nDo you want to disconnect %d %s?\n", n, map[bool]string{true: "call", false: "calls"}[n == 1])
	fmt.Fprintf(c.Streams.Out, "  callctl will end the calls shown above. There is no undo: a disconnected\n  call cannot be restored.\n  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ")
	// Read in the background so that Ctrl-C at the prompt declines at
	// once instead of waiting for a line.
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(c.Streams.In).ReadString('\n')
		answer <- line
	}()
	select {
	case line := <-answer:
		if line == "" {
			fmt.Fprintln(c.Streams.Out)
		}
		return strings.TrimSpace(line) == "yes", nil
	case <-stop.Done():
		fmt.Fprintln(c.Streams.Out)
		return false, nil
	}
}

func abandonedDiagnostic(inFlight []string, journalPath string) *hcl.Diagnostic {
	detail := "A second interrupt stopped callctl at once. No disconnects were in flight."
	if len(inFlight) > 0 {
		detail = fmt.Sprintf("A second interrupt stopped callctl at once. These %d disconnects had been sent but not confirmed; check their state with \"callctl plan\":\n  %s",
			len(inFlight), strings.Join(inFlight, "\n  "))
	}
	detail += fmt.Sprintf("\n\nThe journal %s records every disconnect sent; \"callctl show -journal\" lists them.", journalPath)
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Apply abandoned", Detail: detail}
}

// inFlightHook tracks the calls whose disconnect has been sent but not
// answered.
type inFlightHook struct {
	reconcile.NilHook
	mu    sync.Mutex
	calls map[string]bool
}

func (h *inFlightHook) PreDisconnect(c *reconcile.Change) {
	h.mu.Lock()
	h.calls[c.Address] = true
	h.mu.Unlock()
}

// PostDisconnect forgets a call once the server has answered; a request
// cut off by the second interrupt got no answer, so it stays in flight.
func (h *inFlightHook) PostDisconnect(r *reconcile.Result) {
	if errors.Is(r.Err, context.Canceled) {
		return
	}
	h.mu.Lock()
	delete(h.calls, r.Change.Address)
	h.mu.Unlock()
}

func (h *inFlightHook) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.calls))
	for a := range h.calls {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
