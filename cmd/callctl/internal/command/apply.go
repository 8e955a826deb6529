package command

import (
	"bufio"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
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

	inFlight := &inFlightHook{calls: map[string]bool{}}
	stop, hard, release := interrupts(view.Stopping)
	defer release()

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
	n := p.plan.Summary().ToDisconnect
	if n == 0 {
		return ExitOK
	}

	if args.PlanFile == "" && !args.AutoApprove {
		ok, diags := c.confirm(n, args.ViewType)
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

	view.Applying(n)
	applier := &reconcile.Applier{
		Callers:     p.callers,
		Parallelism: args.Parallelism,
		Hooks:       append(c.hooks(view), inFlight),
		Recheck:     args.PlanFile != "",
	}
	done := make(chan *reconcile.ApplyResult, 1)
	go func() { done <- applier.Apply(stop, hard, p.plan) }()
	select {
	case res := <-done:
		view.Applied(res)
		return applyExitCode(res)
	case <-hard.Done():
		// Second interrupt: leave now, and say which disconnects were sent
		// but not confirmed, so the operator knows what to check.
		view.Diagnostics(hcl.Diagnostics{abandonedDiagnostic(inFlight.list())})
		return ExitError
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
func (c *ApplyCommand) confirm(n int, vt arguments.ViewType) (bool, hcl.Diagnostics) {
	if !c.Streams.InIsTerminal || vt == arguments.ViewJSON {
		return false, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Apply needs confirmation",
			Detail:   "callctl apply asks for confirmation before disconnecting calls, but standard input is not a terminal (or -json was given), so it cannot ask. Nothing was disconnected. Review the plan and rerun with -auto-approve, or apply a saved plan made with \"callctl plan -out=FILE\".",
		}}
	}
	fmt.Fprintf(c.Streams.Out, "\nDo you want to disconnect %d %s?\n", n, map[bool]string{true: "call", false: "calls"}[n == 1])
	fmt.Fprintf(c.Streams.Out, "  callctl will end the calls shown above. There is no undo: a disconnected\n  call cannot be restored.\n  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ")
	line, err := bufio.NewReader(c.Streams.In).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(c.Streams.Out)
		return false, nil
	}
	return strings.TrimSpace(line) == "yes", nil
}

func abandonedDiagnostic(inFlight []string) *hcl.Diagnostic {
	detail := "A second interrupt stopped callctl at once. No disconnects were in flight."
	if len(inFlight) > 0 {
		detail = fmt.Sprintf("A second interrupt stopped callctl at once. These %d disconnects had been sent but not confirmed; check their state with \"callctl plan\":\n  %s",
			len(inFlight), strings.Join(inFlight, "\n  "))
	}
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

func (h *inFlightHook) PostDisconnect(r *reconcile.Result) {
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
