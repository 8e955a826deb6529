package command

import (
	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/operation"
)

// FmtCommand is "callctl fmt".
type FmtCommand struct{ *Meta }

// Run runs fmt.
func (c *FmtCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParseFmt(rawArgs)
	view := views.NewFmt(views.NewView(c.Streams, args.NoColor))
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	req := &operation.FormatRequest{Dir: c.Dir, Paths: args.Paths, Recursive: args.Recursive, List: args.List, Diff: args.Diff, Write: args.Write}
	unformatted, ok := operation.Format(req, view)
	switch {
	case !ok:
		return ExitError
	case args.Check && unformatted > 0:
		return ExitUnformatted
	}
	return ExitOK
}
