package command

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/callctl/callctl/internal/safefile"
	"github.com/callctl/callctl/journal"
)

// ShowCommand is "callctl show PLANFILE".
type ShowCommand struct{ *Meta }

// Run runs show.
func (c *ShowCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParseShow(rawArgs)
	view := views.NewView(c.Streams, args.NoColor)
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	if args.Journal {
		return c.showJournal(args.Path, view)
	}
	f, diags := c.readPlanFile(args.Path)
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	switch {
	case args.ViewType == arguments.ViewJSON:
		b, _ := json.MarshalIndent(viewsjson.NewPlanDocument(f.Plan, f.CallctlVersion, f.Inputs.PolicyHash), "", "  ")
		fmt.Fprintf(c.Streams.Out, "%s\n", b)
	case args.Format == "markdown":
		footer := fmt.Sprintf("<sub>Plan made %s by callctl %s; policy %s.</sub>\n", f.CreatedAt.Format("2006-01-02 15:04:05 MST"), f.CallctlVersion, short(f.Inputs.PolicyHash))
		fmt.Fprint(c.Streams.Out, views.Markdown(f.Plan, footer, views.MarkdownLimit))
	default:
		var buf bytes.Buffer
		view.WritePlan(&buf, f.Plan)
		fmt.Fprint(c.Streams.Out, buf.String())
	}
	return ExitOK
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// showJournal prints the journal as a table of each call's last known
// state. It exits 1 when a disconnect was sent but its outcome never
// recorded (a killed apply) and no later run has since found the call over
// or disconnected it again: those calls need checking.
func (c *ShowCommand) showJournal(path string, view *views.View) int {
	path = c.journalPath(path)
	f, err := safefile.OpenRead(path)
	if err != nil {
		view.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the journal",
			Detail:   fmt.Sprintf("%s. The journal is written by \"callctl apply\"; give another file as \"callctl show -journal FILE\".", capitalize(err.Error())),
		}})
		return ExitError
	}
	defer f.Close()
	entries, err := journal.Read(f)
	var damaged *journal.DamagedLinesError
	switch {
	case errors.As(err, &damaged):
		view.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Journal has damaged lines",
			Detail:   fmt.Sprintf("%s: %s. A line cut short by a crash was never acted on; the rest of the journal is shown.", path, err),
		}})
	case err != nil:
		view.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read the journal", Detail: capitalize(err.Error()) + "."}})
		return ExitError
	}
	statuses := journal.Summarize(entries)
	if err := journal.WriteTable(c.Streams.Out, statuses); err != nil {
		return ExitError
	}
	resolved := false
	for _, s := range statuses {
		if s.Unknown() {
			fmt.Fprintf(c.Streams.Out, "\nSome disconnects were sent but their outcome was never recorded: check those calls with \"callctl plan\".\n")
			return ExitError
		}
		resolved = resolved || s.Resolved()
	}
	if resolved {
		fmt.Fprintf(c.Streams.Out, "\nDisconnects whose outcome was never recorded were resolved by later runs, which found those calls over or disconnected them again.\n")
	}
	return ExitOK
}
