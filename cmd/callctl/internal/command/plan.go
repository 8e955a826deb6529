package command

import (
	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/operation"
)

// PlanCommand is "callctl plan".
type PlanCommand struct{ *Meta }

// Run runs plan.
func (c *PlanCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParsePlan(rawArgs)
	base := views.NewView(c.Streams, args.NoColor)
	base.SetCompactWarnings(args.CompactWarnings)
	view := views.NewOperation(args.ViewType, base)
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	req := &operation.PlanRequest{Request: c.request(&args.Operation), Out: args.Out}
	res := operation.Plan(c.Interrupts.Stop, req, view)
	if res.Status != operation.StatusOK {
		return exitCode(res.Status)
	}
	view.PlanNextStep(c.Dir, args.Out)
	if args.DetailedExitCode && res.Plan.HasChanges() {
		return ExitChanges
	}
	return ExitOK
}
