// Package views renders what commands have to say: diagnostics, plans and
// apply progress, for people (Human) or programs (JSON). Commands never
// print directly.
package views

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
)

// Streams are a command's standard streams and what is known of them.
type Streams struct {
	In            io.Reader
	Out           io.Writer
	Err           io.Writer
	InIsTerminal  bool
	OutIsTerminal bool
	Width         int // terminal width, 0 when unknown
	Environ       []string
}

// Getenv reads a variable from the streams' environment.
func (s *Streams) Getenv(name string) string {
	for i := len(s.Environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(s.Environ[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}

// View is what every command's view shares: the streams, colour, and the
// policy's source files so that diagnostics can quote them.
type View struct {
	streams *Streams
	color   bool
	mu      sync.Mutex // serialises writes from concurrent hooks
	status  bool       // a progress status line is on screen; guarded by mu
	files   map[string]*hcl.File
	// compact prints warnings as one line each (-compact-warnings).
	compact bool
	// waiting says what the run is waiting for (exchange.Clients.Waiting), for
	// the progress line; nil until WaitingFrom.
	waiting func() []string
}

// WaitingFrom gives the progress line a source of "waiting for exchange
// corp: no answer for 20s, attempt 2 of 3" notes. Call it before the run
// starts.
func (v *View) WaitingFrom(f func() []string) { v.waiting = f }

// NewView makes a view. Colour is on only when stdout is a terminal,
// NO_COLOR is unset or empty (as no-color.org defines it), and -no-color
// was not given.
func NewView(s *Streams, noColor bool) *View {
	noColorEnv, _ := lookupEnv(s.Environ, "NO_COLOR")
	return &View{streams: s, color: s.OutIsTerminal && !noColor && noColorEnv == ""}
}

func lookupEnv(env []string, name string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// SetConfigSources gives the view the parsed files diagnostics refer to.
func (v *View) SetConfigSources(files map[string]*hcl.File) { v.files = files }

// Streams returns the view's streams.
func (v *View) Streams() *Streams { return v.streams }

// Color reports whether the view writes colour.
func (v *View) Color() bool { return v.color }

func (v *View) width() int {
	if v.streams.Width > 0 {
		return v.streams.Width
	}
	return 78
}

// SetCompactWarnings makes Diagnostics print warnings as one line each,
// after any errors, as -compact-warnings asks.
func (v *View) SetCompactWarnings(on bool) { v.compact = on }

// InAutomation reports whether CALLCTL_IN_AUTOMATION is set: output is
// read by a pipeline, so next-step hints for a person are left out.
func (v *View) InAutomation() bool { return v.streams.Getenv("CALLCTL_IN_AUTOMATION") != "" }

// Diagnostics prints warnings and errors, with source snippets, to stderr
// (errors) or stdout (warnings only), as Terraform does.
func (v *View) Diagnostics(diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	if v.compact {
		var errs, warns hcl.Diagnostics
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				errs = append(errs, d)
			} else {
				warns = append(warns, d)
			}
		}
		if len(warns) > 0 {
			v.compactWarnings(warns)
		}
		if len(errs) == 0 {
			return
		}
		diags = errs
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.clearStatus()
	w := v.streams.Out
	if diags.HasErrors() {
		w = v.streams.Err
	}
	bw := bufio.NewWriter(w)
	dw := NewTextWriter(bw, v.files, v.width(), v.color)
	for _, d := range diags {
		fmt.Fprintln(bw)
		dw.WriteDiagnostic(d)
	}
	_ = bw.Flush()
}

// compactWarnings prints each warning's summary and place on one line.
func (v *View) compactWarnings(warns hcl.Diagnostics) {
	var b strings.Builder
	b.WriteString("\n" + v.paint("Warnings:", ansiBold, ansiYellow) + "\n\n")
	for _, d := range warns {
		fmt.Fprintf(&b, "- %s\n", d.Summary)
		if d.Subject != nil && d.Subject.Filename != "" {
			fmt.Fprintf(&b, "  on %s line %d\n", d.Subject.Filename, d.Subject.Start.Line)
		}
	}
	b.WriteString("\nTo see the full warning notes, run callctl without -compact-warnings.\n")
	v.printf("%s", b.String())
}

// printf writes to stdout under the view's lock, first erasing a progress
// status line if one is on screen.
func (v *View) printf(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.clearStatus()
	fmt.Fprintf(v.streams.Out, format, args...)
}

// printStatus (re)draws the one-line progress status on a terminal.
func (v *View) printStatus(s string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.streams.Out, "\r\x1b[K%s", s)
	v.status = true
}

// clearStatus erases the status line; the caller holds v.mu.
func (v *View) clearStatus() {
	if v.status {
		fmt.Fprint(v.streams.Out, "\r\x1b[K")
		v.status = false
	}
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// paint wraps s in the given ANSI codes when colour is on.
func (v *View) paint(s string, codes ...string) string {
	if !v.color || len(codes) == 0 {
		return s
	}
	return strings.Join(codes, "") + s + ansiReset
}

// ConfigSources returns the files given to SetConfigSources.
func (v *View) ConfigSources() map[string]*hcl.File { return v.files }

// Paint styles s with named styles ("bold", "red", "green", "yellow") when
// colour is on.
func (v *View) Paint(s string, styles ...string) string {
	codes := map[string]string{"bold": ansiBold, "red": ansiRed, "green": ansiGreen, "yellow": ansiYellow}
	var cs []string
	for _, st := range styles {
		cs = append(cs, codes[st])
	}
	return v.paint(s, cs...)
}
