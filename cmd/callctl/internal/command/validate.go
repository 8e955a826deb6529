package command

import (
	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/operation"
)

// ValidateCommand is "callctl validate": a policy check with no network.
type ValidateCommand struct{ *Meta }

// Run runs validate.
func (c *ValidateCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParseValidate(rawArgs)
	base := views.NewView(c.Streams, args.NoColor)
	view := views.NewValidate(args.ViewType, base)
	calls, exchanges := 0, 0
	if !diags.HasErrors() {
		req := operation.Request{Dir: c.Dir, Vars: args.Vars.Vars, VarFiles: args.Vars.VarFiles, VarArgs: args.Vars.Args, Environ: c.Streams.Environ, Memory: c.memoryTuning()}
		req.Interrupt = c.Interrupts.Stop
		policy, moreDiags := operation.LoadPolicy(&req, view)
		diags = append(diags, moreDiags...)
		if policy != nil {
			calls, exchanges = len(policy.Calls), len(policy.Exchanges)
			view.Deferred(policy.Deferred)
		}
	}
	if err := view.Results(diags, calls, exchanges); err != nil {
		base.Diagnostics(internalDiagnostic("Cannot show the result", err))
		return ExitError
	}
	if diags.HasErrors() {
		return ExitError
	}
	return ExitOK
}
