// Package command wires callctl's subcommands: each parses its arguments,
// builds its view and the operation's request, hands the request and view
// to package operation, and maps the result to an exit code. Logic lives
// in operation and the packages below it; rendering lives in views.
package command

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/agext/levenshtein"

	"github.com/callctl/callctl/cmd/callctl/internal/version"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
)

// Meta is what every subcommand gets: its streams and working directory.
type Meta struct {
	Streams *views.Streams
	// Dir is the policy directory: the working directory, or -chdir's.
	// Relative paths given on the command line resolve against it.
	Dir string
	// Log is the CALLCTL_LOG logger, on stderr.
	Log *slog.Logger
	// Interrupts are the run's interrupt stages.
	Interrupts Interrupts
}

const usage = `Usage: callctl [-chdir=DIR] <command> [options]

callctl ends live phone calls on Microsoft Exchange, declared in HCL policies.

Main commands:
  validate   Check that the policy is valid (no network access)
  plan       Look every declared call up and show what apply would disconnect
  apply      Disconnect the calls a fresh or saved plan names
  show       Show a saved plan (-json, -format=markdown)
  fmt        Rewrite policy files in the canonical format
  test       Run the policy's tests (*.calltest.hcl) against mock exchanges
  console    Evaluate expressions against the policy (no exchange contacted)
  version    Show the version (-json for a document)
  help CMD   Show a command's help

Environment: CALLCTL_CLI_ARGS and CALLCTL_CLI_ARGS_<command> add flags to
every command or to one; CALLCTL_IN_AUTOMATION leaves out next-step hints.

Global options:
  -chdir=DIR   Run in DIR, as if callctl had been started there
  -help        Show this help
  -version     Show the version
`

// Run runs callctl with the given arguments and returns its exit code.
// Interrupts are how it learns of Ctrl-C. Output that cannot be written
// (a full disk under a redirect) is no success: it is reported on stderr
// once the command is done, and a command that would have exited 0 (or
// 2, "calls to disconnect") exits 1.
func Run(in Interrupts, args []string, s *views.Streams) int {
	out := &recordingWriter{w: s.Out}
	streams := *s
	streams.Out = out
	code := run(in, args, &streams)
	if out.err != nil {
		fmt.Fprintf(s.Err, "\nError: Cannot write the output\n\ncallctl could not write to its standard output: %v. What it printed (or, with -json, streamed) is incomplete; if this was an apply, \"callctl show -journal\" lists what it did.\n", out.err)
		if code == ExitOK || code == ExitChanges {
			code = ExitError
		}
	}
	return code
}

// recordingWriter keeps the first error its writer returned, and writes
// nothing more after it.
type recordingWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

func (r *recordingWriter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	r.err = err
	return n, err
}

func run(in Interrupts, args []string, s *views.Streams) int {
	if line, ok := completionRequest(s); ok {
		return complete(s, line)
	}
	m := &Meta{Streams: s, Dir: ".", Interrupts: in.orBackground()}
	root := views.NewRoot(views.NewView(s, true))
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		a := args[0]
		switch {
		case strings.HasPrefix(a, "-chdir="):
			m.Dir = strings.TrimPrefix(a, "-chdir=")
		case a == "-chdir" && len(args) > 1:
			m.Dir = args[1]
			args = args[1:]
		case a == "-version" || a == "--version":
			root.Version(version.Version)
			return ExitOK
		case a == "-help" || a == "--help" || a == "-h":
			root.Help(usage)
			return ExitOK
		default:
			root.UsageError(fmt.Sprintf("unknown global option %q.", a), usage)
			return ExitError
		}
		args = args[1:]
	}
	if len(args) == 0 {
		root.UsageError("", usage)
		return ExitError
	}
	log, err := m.logger()
	if err != nil {
		root.Warning(err.Error() + ". Logging is off.")
	}
	m.Log = log
	cmd, rest := args[0], args[1:]
	if cmd == "help" {
		if len(rest) == 0 {
			root.Help(usage)
		} else {
			root.Help(helpFor(rest[0]))
		}
		return ExitOK
	}
	extra, err := m.envArgs(cmd)
	if err != nil {
		root.UsageError(err.Error()+".", usage)
		return ExitError
	}
	rest = append(extra, rest...)
	if wantsHelp(rest) {
		root.Help(helpFor(cmd))
		return ExitOK
	}
	switch cmd {
	case "plan":
		return (&PlanCommand{m}).Run(rest)
	case "apply":
		return (&ApplyCommand{m}).Run(rest)
	case "validate":
		return (&ValidateCommand{m}).Run(rest)
	case "fmt":
		return (&FmtCommand{m}).Run(rest)
	case "show":
		return (&ShowCommand{m}).Run(rest)
	case "test":
		return (&TestCommand{m}).Run(rest)
	case "console":
		return (&ConsoleCommand{m}).Run(rest)
	case "version":
		return (&VersionCommand{m}).Run(rest)
	default:
		hint := ""
		for _, known := range []string{"plan", "apply", "validate", "fmt", "show", "test", "console", "version", "help"} {
			if levenshtein.Distance(cmd, known, nil) < 3 {
				hint = fmt.Sprintf(" Did you mean %q?", known)
				break
			}
		}
		root.UsageError(fmt.Sprintf("unknown command %q.%s", cmd, hint), usage)
		return ExitError
	}
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-help" || a == "--help" || a == "-h" {
			return true
		}
	}
	return false
}
