package command

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/term"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/operation"
)

// ConsoleCommand is "callctl console": expressions evaluated against the
// policy (variables, locals, data sources, plantimestamp()), never
// contacting an exchange.
type ConsoleCommand struct{ *Meta }

// maxConsoleLine bounds one line of piped input.
const maxConsoleLine = 1 << 20

// Run runs console.
func (c *ConsoleCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParseConsole(rawArgs)
	base := views.NewView(c.Streams, args.NoColor)
	view := views.NewConsole(base)
	if diags.HasErrors() {
		base.Diagnostics(diags)
		return ExitError
	}
	req := operation.Request{Dir: c.Dir, Vars: args.Vars.Vars, VarFiles: args.Vars.VarFiles, VarArgs: args.Vars.Args, Environ: c.Streams.Environ}
	policy, diags := operation.LoadScope(&req, base)
	if diags.HasErrors() {
		base.Diagnostics(diags)
		return ExitError
	}
	base.Diagnostics(diags) // warnings
	files := base.ConfigSources()
	n := 0
	eval := func(line string) bool {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			return true
		}
		n++
		name := fmt.Sprintf("<console-input-%d>", n)
		expr, diags := config.ParseExpression([]byte(line), name)
		files[name] = &hcl.File{Bytes: []byte(line)}
		base.SetConfigSources(files)
		if !diags.HasErrors() {
			v, moreDiags := policy.Scope.Eval(expr, nil)
			diags = append(diags, moreDiags...)
			if !diags.HasErrors() {
				view.Value(v)
				return true
			}
		}
		base.Diagnostics(diags)
		return false
	}

	if f, ok := c.Streams.In.(*os.File); ok && c.Streams.InIsTerminal && c.Streams.OutIsTerminal {
		return c.interactive(f, eval)
	}
	ok := true
	sc := bufio.NewScanner(c.Streams.In)
	sc.Buffer(make([]byte, 64*1024), maxConsoleLine)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "exit" {
			break
		}
		ok = eval(sc.Text()) && ok
	}
	if err := sc.Err(); err != nil {
		base.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the console's input",
			Detail:   fmt.Sprintf("Reading expressions failed: %s. Give one expression per line, each under 1 MiB.", err),
		}})
		return ExitError
	}
	if !ok {
		return ExitError
	}
	return ExitOK
}

// interactive reads expressions on a terminal, with line editing and
// history (up and down arrows), until exit, Ctrl-D or Ctrl-C.
func (c *ConsoleCommand) interactive(in *os.File, eval func(string) bool) int {
	old, err := term.MakeRaw(int(in.Fd()))
	if err != nil {
		fmt.Fprintf(c.Streams.Err, "Error: cannot set up the terminal: %s\n", err)
		return ExitError
	}
	defer func() { _ = term.Restore(int(in.Fd()), old) }()
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{in, c.Streams.Out}, "> ")
	// Output while raw needs \r\n; the terminal's writer translates.
	c.Streams.Out, c.Streams.Err = t, t
	for {
		line, err := t.ReadLine()
		if errors.Is(err, io.EOF) || strings.TrimSpace(line) == "exit" {
			return ExitOK
		}
		if err != nil {
			return ExitError
		}
		eval(line)
	}
}
