package views

import "fmt"

// Root is the view for what callctl says before a subcommand runs: help,
// the version, and errors in the global options.
type Root struct{ *View }

// NewRoot returns the root view.
func NewRoot(v *View) *Root { return &Root{View: v} }

// Help prints help text on stdout, as asked for.
func (v *Root) Help(text string) { v.printf("%s", text) }

// Version prints callctl's version.
func (v *Root) Version(version string) { v.printf("callctl v%s\n", version) }

// UsageError says what was wrong with the command line, then the usage,
// on stderr.
func (v *Root) UsageError(msg, usage string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if msg != "" {
		fmt.Fprintf(v.streams.Err, "Error: %s\n\n", msg)
	}
	fmt.Fprint(v.streams.Err, usage)
}

// Warning prints a one-line warning on stderr.
func (v *Root) Warning(msg string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.streams.Err, "Warning: %s\n", msg)
}
