package command

import (
	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/reconcile"
)

// PlanCommand is "callctl plan".
type PlanCommand struct{ *Meta }

// Run runs plan.
func (c *PlanCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParsePlan(rawArgs)
	view := views.NewOperation(args.ViewType, views.NewView(c.Streams, args.NoColor))
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}

	// An interrupt during a plan just stops the lookups: nothing is changed.
	stop, _, release := interrupts(nil)
	defer release()
	ctx, cancel := withDeadline(stop, args.Deadline)
	defer cancel()
	p, diags := c.makePlan(ctx, &args.Operation, view)
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	defer reconcile.CloseAll(p.callers)
	view.Diagnostics(diags)
	view.Plan(p.plan)
	view.Retried(reconcile.RetryStats(p.callers))

	if args.Out != "" {
		if diags := c.savePlan(args.Out, p, args); diags.HasErrors() {
			view.Diagnostics(diags)
			return ExitError
		}
	}
	view.PlanNextStep(args.Out)
	if args.DetailedExitCode && p.plan.HasChanges() {
		return ExitChanges
	}
	return ExitOK
}
