package command

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
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
