// Command callctl ends live phone calls on Microsoft Exchange, declared in
// HCL policies, the way Terraform manages infrastructure: validate, plan,
// apply.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"golang.org/x/term"

	"github.com/callctl/callctl/cmd/callctl/internal/command"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
)

func main() { os.Exit(run()) }

func run() int {
	hideProcess()
	s := &views.Streams{
		In:            os.Stdin,
		Out:           os.Stdout,
		Err:           os.Stderr,
		InIsTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		OutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		Environ:       os.Environ(),
	}
	if s.OutIsTerminal {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			s.Width = w
		}
	}
	in, release := notifyInterrupts()
	defer release()
	return guard(s.Err, func() int { return command.Run(in, os.Args[1:], s) })
}

// guard runs a command and turns a panic in its goroutine into exit code 1
// with an "internal error" message. Go's own exit code for a panic is 2,
// which plan -detailed-exitcode documents as "calls to disconnect": a
// crash must never read as a plan. Fatal runtime errors (stack overflow,
// out of memory, concurrent map writes) and panics in other goroutines
// cannot be recovered; the loader bounds its inputs so that they do not
// happen.
func guard(stderr io.Writer, f func() int) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "\nError: Internal error\n\ncallctl stopped on an internal error: %v. This is a bug in callctl, not in your policy: please report it with the stack trace below. If this was an apply, run callctl show -journal to see which calls it ended.\n\n%s\n", r, debug.Stack())
			code = command.ExitError
		}
	}()
	return f()
}
