// Command callctl ends live phone calls on Microsoft Exchange, declared in
// HCL policies, the way Terraform manages infrastructure: validate, plan,
// apply.
package main

import (
	"os"

	"golang.org/x/term"

	"github.com/callctl/callctl/cmd/callctl/internal/command"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
)

func main() { os.Exit(run()) }

func run() int {
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
	return command.Run(in, os.Args[1:], s)
}
