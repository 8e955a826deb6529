package command

import (
	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/policytest"
)

// TestCommand is "callctl test": the policy's *.calltest.hcl files, run
// against mock exchanges, with no network access.
type TestCommand struct{ *Meta }

// Run runs test.
func (c *TestCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParseTest(rawArgs)
	view := views.NewTest(args.ViewType, args.Verbose, views.NewView(c.Streams, args.NoColor))
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	names, diags := policytest.Discover(c.Dir, args.Filters)
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	runner := &policytest.Runner{Dir: c.Dir, Environ: c.Streams.Environ}
	// A Ctrl-C stops the lookups of the run under way; nothing is real.
	ctx := c.Interrupts.Stop
	var results []*policytest.FileResult
	for _, name := range names {
		res := runner.RunFile(ctx, name)
		results = append(results, res)
		view.SetConfigSources(runner.Files())
		view.File(res)
	}
	s := policytest.Summarize(results)
	view.Summary(s)
	if s.Status != policytest.Pass && s.Status != policytest.Skip {
		return ExitError
	}
	return ExitOK
}
