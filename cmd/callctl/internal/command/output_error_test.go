package command

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/callctl/callctl/cmd/callctl/internal/views"
)

type failingWriter struct{ writes int }

func (f *failingWriter) Write(p []byte) (int, error) {
	f.writes++
	return 0, errors.New("no space left on device")
}

// Output that cannot be written is reported, and is no success: a JSON
// consumer must not take a truncated stream for a complete one.
func TestUnwritableOutputIsAnError(t *testing.T) {
	for _, args := range [][]string{{"-version"}, {"version", "-json"}, {"-chdir=" + t.TempDir(), "validate", "-json"}} {
		out := &failingWriter{}
		var errOut bytes.Buffer
		code := Run(Interrupts{}, args, &views.Streams{Out: out, Err: &errOut})
		if code != ExitError {
			t.Errorf("%v: exit code %d, want %d", args, code, ExitError)
		}
		if !strings.Contains(errOut.String(), "could not write to its standard output: no space left on device") {
			t.Errorf("%v: stderr does not say why:\n%s", args, errOut.String())
		}
		if out.writes != 1 {
			t.Errorf("%v: %d writes after the first failure, want none", args, out.writes-1)
		}
	}
}
