package command

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/internal/testbuf"
)

// policyDir writes a one-call policy against srv into a temp dir.
func policyDir(t *testing.T, srv *exchsim.Server) string {
	t.Helper()
	dir := t.TempDir()
	src := fmt.Sprintf(`
exchange "corp" {
  url = %q
}

end_call "bridge" {
  exchange = exchange.corp
  call_id  = "c-1"
  reason   = "stuck bridge"
}
`, srv.EWSURL())
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestApplyConfirmation(t *testing.T) {
	tests := map[string]struct {
		terminal  bool
		answer    string
		wantCode  int
		wantState string
		wantOut   []string
	}{
		"yes confirms": {
			terminal: true, answer: "yes\n", wantCode: ExitOK, wantState: "Disconnected",
			wantOut: []string{"There is no undo", "Only 'yes' will be accepted", "Apply complete! Calls: 1 disconnected"},
		},
		"anything else declines": {
			terminal: true, answer: "y\n", wantCode: ExitDeclined, wantState: "Connected",
			wantOut: []string{"Apply cancelled: nothing was disconnected."},
		},
		"end of input declines": {
			terminal: true, answer: "", wantCode: ExitDeclined, wantState: "Connected",
		},
		"no terminal refuses without asking": {
			terminal: false, answer: "yes\n", wantCode: ExitError, wantState: "Connected",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv, err := exchsim.NewServer(exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			var out, errOut bytes.Buffer
			s := &views.Streams{In: strings.NewReader(tc.answer), Out: &out, Err: &errOut, InIsTerminal: tc.terminal}
			code := Run(Interrupts{}, []string{"-chdir=" + policyDir(t, srv), "apply"}, s)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, &out, &errOut)
			}
			if c, _ := srv.Call("c-1"); c.State != tc.wantState {
				t.Errorf("call is %s, want %s", c.State, tc.wantState)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, &out)
				}
			}
			if !tc.terminal && !strings.Contains(errOut.String(), "Apply needs confirmation") {
				t.Errorf("stderr lacks the refusal:\n%s", &errOut)
			}
		})
	}
}

func TestColour(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := policyDir(t, srv)
	tests := map[string]struct {
		terminal bool
		env      []string
		args     []string
		want     bool
	}{
		"terminal":       {terminal: true, want: true},
		"not a terminal": {terminal: false, want: false},
		"NO_COLOR":       {terminal: true, env: []string{"NO_COLOR=1"}, want: false},
		"NO_COLOR empty": {terminal: true, env: []string{"NO_COLOR="}, want: true},
		"-no-color":      {terminal: true, args: []string{"-no-color"}, want: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			s := &views.Streams{Out: &out, Err: &out, OutIsTerminal: tc.terminal, Environ: tc.env}
			if code := Run(Interrupts{}, append([]string{"-chdir=" + dir, "plan"}, tc.args...), s); code != ExitOK {
				t.Fatalf("plan exited %d:\n%s", code, &out)
			}
			if got := strings.Contains(out.String(), "\x1b["); got != tc.want {
				t.Errorf("colour = %v, want %v:\n%q", got, tc.want, out.String())
			}
		})
	}
}

func TestInterruptAtPromptDeclines(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	in, w := io.Pipe() // nobody ever answers
	defer w.Close()
	var out testbuf.Buffer
	s := &views.Streams{In: in, Out: &out, Err: &out, InIsTerminal: true}
	stop, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	go func() {
		for !strings.Contains(out.String(), "Enter a value:") {
			time.Sleep(time.Millisecond)
		}
		interrupt() // what main does on the first Ctrl-C
	}()
	code := Run(Interrupts{Stop: stop}, []string{"-chdir=" + policyDir(t, srv), "apply"}, s)
	if code != ExitDeclined {
		t.Errorf("exit code %d, want %d (declined)\n%s", code, ExitDeclined, out.String())
	}
	if c, _ := srv.Call("c-1"); c.State != "Connected" {
		t.Errorf("call is %s after an interrupted prompt", c.State)
	}
	if !strings.Contains(out.String(), "Apply cancelled: nothing was disconnected.") {
		t.Errorf("no cancellation notice:\n%s", out.String())
	}
}
