package command

import (
	"context"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/operation"
)

// ApplyCommand is "callctl apply".
type ApplyCommand struct{ *Meta }

// Run runs apply.
func (c *ApplyCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParseApply(rawArgs)
	if args.Watch > 0 && !diags.HasErrors() {
		return c.watch(args)
	}
	base := views.NewView(c.Streams, args.NoColor)
	base.SetCompactWarnings(args.CompactWarnings)
	view := views.NewOperation(args.ViewType, base)
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	// The first interrupt is acknowledged at once, in the phase the
	// backend is in; the backend sees it through the context.
	phase := &operation.PhaseRecorder{}
	defer context.AfterFunc(c.Interrupts.Stop, func() { view.Stopping(phase.Current()) })()

	req := &operation.ApplyRequest{
		Phase:       phase,
		Request:     c.request(&args.Operation),
		PlanFile:    args.PlanFile,
		AutoApprove: args.AutoApprove,
		Confirm:     view.Confirm,
		Journal:     args.Journal,
		StateDir:    args.StateDir,
		LockTimeout: args.LockTimeout,
	}
	res := operation.Apply(c.Interrupts.Stop, c.Interrupts.Hard, req, view)
	return exitCode(res.Status)
}
