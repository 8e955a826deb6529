package command

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/operation"
)

// ShowCommand is "callctl show PLANFILE" and "callctl show -journal".
type ShowCommand struct{ *Meta }

// Run runs show.
func (c *ShowCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParseShow(rawArgs)
	view := views.NewShow(args.ViewType, args.Format, views.NewView(c.Streams, args.NoColor))
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	if args.Journal {
		return c.showJournal(args.Path, view)
	}
	f, diags := operation.ReadPlanFile(c.Dir, args.Path)
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	if err := view.Plan(f); err != nil {
		view.Diagnostics(internalDiagnostic("Cannot show the plan", err))
		return ExitError
	}
	return ExitOK
}

// showJournal prints the journal as a table of each call's last known
// state. It exits 1 when a disconnect was sent but its outcome never
// recorded (a killed apply): those calls need checking.
func (c *ShowCommand) showJournal(path string, view views.Show) int {
	statuses, diags := operation.ReadJournal(operation.JournalPath(c.Dir, path))
	view.Diagnostics(diags)
	if diags.HasErrors() {
		return ExitError
	}
	if err := view.Journal(statuses); err != nil {
		view.Diagnostics(internalDiagnostic("Cannot show the journal", err))
		return ExitError
	}
	for _, s := range statuses {
		if s.Unknown() {
			return ExitError
		}
	}
	return ExitOK
}

// internalDiagnostic reports a fault of callctl itself, one the user can
// only report.
func internalDiagnostic(summary string, err error) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf("This is a bug in callctl (%s); please report it.", err),
	}}
}
