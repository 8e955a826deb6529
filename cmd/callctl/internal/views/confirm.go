package views

import (
	"bufio"
	"context"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// needsConfirmation is the refusal when nobody can be asked.
var needsConfirmation = &hcl.Diagnostic{
	Severity: hcl.DiagError,
	Summary:  "Apply needs confirmation",
	Detail:   "callctl apply asks for confirmation before disconnecting calls, but standard input is not a terminal (or -json was given), so it cannot ask. Nothing was disconnected. Review the plan and rerun with -auto-approve, or apply a saved plan made with \"callctl plan -out=FILE\".",
}

// Confirm asks the operator to type "yes". Without a terminal to ask on it
// refuses rather than wait on input that will never come.
func (v *OperationHuman) Confirm(stop context.Context, n int) (bool, hcl.Diagnostics) {
	if !v.streams.InIsTerminal {
		return false, hcl.Diagnostics{needsConfirmation}
	}
	v.printf("\nDo you want to disconnect %d %s?\n", n, plural(n, "call", "calls"))
	v.printf("  callctl will end the calls shown above. There is no undo: a disconnected\n  call cannot be restored.\n  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ")
	// Read in the background so that Ctrl-C at the prompt declines at
	// once instead of waiting for a line.
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(v.streams.In).ReadString('\n')
		answer <- line
	}()
	select {
	case line := <-answer:
		if line == "" {
			v.printf("\n")
		}
		return strings.TrimSpace(line) == "yes", nil
	case <-stop.Done():
		v.printf("\n")
		return false, nil
	}
}

// Confirm refuses: a JSON stream is read by a program, and a program
// approves with -auto-approve.
func (j *OperationJSON) Confirm(context.Context, int) (bool, hcl.Diagnostics) {
	return false, hcl.Diagnostics{needsConfirmation}
}
