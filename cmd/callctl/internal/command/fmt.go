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
	if len(args.Paths) == 1 && args.Paths[0] == "-" {
		// fmt -: standard input to standard output, as terraform fmt -.
		out, formatted, ok := operation.FormatStream(c.Streams.In, view)
		switch {
		case !ok:
			return ExitError
		case args.Check:
			if !formatted {
				return ExitUnformatted
			}
			return ExitOK
		}
		view.Formatted(out)
		return ExitOK
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
