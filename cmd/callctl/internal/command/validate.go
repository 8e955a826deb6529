package command

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/callctl/callctl/config"
)

// ValidateCommand is "callctl validate": a policy check with no network.
type ValidateCommand struct{ *Meta }

// validateResult is validate -json's document.
type validateResult struct {
	FormatVersion string                  `json:"format_version"`
	Valid         bool                    `json:"valid"`
	ErrorCount    int                     `json:"error_count"`
	WarningCount  int                     `json:"warning_count"`
	Calls         int                     `json:"calls"`
	Exchanges     int                     `json:"exchanges"`
	Diagnostics   []*viewsjson.Diagnostic `json:"diagnostics"`
}

// Run runs validate.
func (c *ValidateCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParseValidate(rawArgs)
	view := views.NewView(c.Streams, args.NoColor)
	var files map[string]*hcl.File
	res := validateResult{FormatVersion: "1.0", Diagnostics: []*viewsjson.Diagnostic{}}
	if !diags.HasErrors() {
		// validate reads no inventory and runs no command: it checks the
		// policy, not the world.
		policy, moreDiags := c.loadPolicy(args.Vars, view, func(o *config.LoadOptions) { o.Data.Mode = config.DataSkip })
		diags = append(diags, moreDiags...)
		files = view.ConfigSources()
		if policy != nil {
			res.Calls, res.Exchanges = len(policy.Calls), len(policy.Exchanges)
		}
	}
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			res.ErrorCount++
		} else {
			res.WarningCount++
		}
	}
	res.Valid = res.ErrorCount == 0

	if args.ViewType == arguments.ViewJSON {
		for _, d := range diags {
			res.Diagnostics = append(res.Diagnostics, viewsjson.NewDiagnostic(d, files))
		}
		b, _ := json.MarshalIndent(res, "", "  ")
		fmt.Fprintf(c.Streams.Out, "%s\n", b)
	} else {
		view.Diagnostics(diags)
		if res.Valid {
			fmt.Fprintf(c.Streams.Out, "%s The policy is valid: %d %s on %d %s.\n",
				view.Paint("Success!", "bold", "green"), res.Calls, plural(res.Calls, "call", "calls"), res.Exchanges, plural(res.Exchanges, "exchange", "exchanges"))
		}
	}
	if !res.Valid {
		return ExitError
	}
	return ExitOK
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
