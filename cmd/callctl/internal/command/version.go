package command

import (
	"encoding/json"
	"runtime"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/version"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
)

// VersionCommand is "callctl version [-json]".
type VersionCommand struct{ *Meta }

// Run runs version.
func (c *VersionCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParseVersion(rawArgs)
	base := views.NewView(c.Streams, false)
	if diags.HasErrors() {
		base.Diagnostics(diags)
		return ExitError
	}
	root := views.NewRoot(base)
	if !args.JSON {
		root.Version(version.Version)
		return ExitOK
	}
	b, _ := json.MarshalIndent(map[string]string{
		"callctl_version": version.Version,
		"platform":        runtime.GOOS + "_" + runtime.GOARCH,
		"go_version":      runtime.Version(),
	}, "", "  ")
	root.Help(string(b) + "\n")
	return ExitOK
}
