// Package version holds callctl's version, set at build time with
// -ldflags "-X github.com/callctl/callctl/cmd/callctl/internal/version.Version=...".
package version

// Version is the callctl release.
var Version = "0.1.0-dev"
