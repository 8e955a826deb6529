package inventory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/callctl/callctl/internal/redact"
	"github.com/callctl/callctl/internal/visible"
)

// Command describes a command whose standard output is an inventory.
type Command struct {
	Argv    []string // run directly, never through a shell
	Dir     string   // working directory: the policy directory
	Env     []string // the whole environment it runs with; nil means an empty one
	Timeout time.Duration
	Limits  Limits
	// Secrets are masked in the standard error an error quotes: a
	// script run with "bash -x" prints the commands it runs, with the
	// credentials it was handed.
	Secrets *redact.Secrets
}

// stderrTail is how much of a failed command's standard error a message
// quotes: enough for the error a script prints last.
const stderrTail = 2048

// Output runs the command and returns its standard output. The command
// and every process it started are killed when ctx ends or the timeout
// passes. The error says how the command failed and quotes the tail of
// its standard error, with c.Secrets masked and control characters made
// visible; it never includes the environment.
func (c Command) Output(ctx context.Context) ([]byte, error) {
	source := strings.Join(c.Argv, " ")
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return nil, &Error{Source: "command", Msg: "the command is empty"}
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	if cmd.Env == nil {
		cmd.Env = []string{} // nil would mean "inherit", which the caller did not ask for
	}
	stdout := &limitedBuffer{max: c.Limits.MaxBytes}
	stderr := &tailBuffer{max: stderrTail}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	setProcessGroup(cmd)
	// A grandchild that keeps the pipes open must not keep us waiting
	// after the group is killed.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case stdout.overflow:
		return nil, tooBig(source, c.Limits)
	case ctx.Err() == context.DeadlineExceeded:
		return nil, &Error{Source: source, Msg: fmt.Sprintf("did not finish within %s and was killed with the processes it started%s", c.Timeout, stderr.quote(c.Secrets))}
	case ctx.Err() != nil:
		return nil, &Error{Source: source, Msg: "interrupted"}
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, &Error{Source: source, Msg: fmt.Sprintf("failed: %s%s", ee.ProcessState, stderr.quote(c.Secrets))}
		}
		return nil, &Error{Source: source, Msg: fmt.Sprintf("cannot run: %s", err)}
	}
	return stdout.Bytes(), nil
}

// limitedBuffer keeps at most max bytes and notes an overflow, failing
// the write so that the command sees a broken pipe rather than running on.
// The buffer is a field, not embedded: an embedded bytes.Buffer's
// ReadFrom would be what os/exec's copy calls, past Write and its cap.
type limitedBuffer struct {
	buf      bytes.Buffer
	max      int64
	overflow bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if int64(b.buf.Len()+len(p)) > b.max {
		b.overflow = true
		return 0, errors.New("inventory too large")
	}
	return b.buf.Write(p)
}

// Bytes returns what was written.
func (b *limitedBuffer) Bytes() []byte { return b.buf.Bytes() }

// tailBuffer keeps the last max bytes written.
type tailBuffer struct {
	buf []byte
	max int
	cut bool // the start was dropped
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append(b.buf[:0], b.buf[len(b.buf)-b.max:]...)
		b.cut = true
	}
	return len(p), nil
}

// quote words the tail for an error: secrets masked first (so that they
// are found as the command wrote them), then every line's control
// characters made visible and each line indented, so that nothing the
// command wrote can pass for callctl's own output.
//
// When the start was dropped, the first line is only the end of a line,
// which could hold the end of a secret that masking cannot recognise: it
// is left out.
func (b *tailBuffer) quote(secrets *redact.Secrets) string {
	text := string(b.buf)
	if b.cut {
		_, text, _ = strings.Cut(text, "\n")
	}
	s := strings.TrimSpace(secrets.Mask(text))
	if s == "" {
		return "; it wrote nothing to standard error"
	}
	s = visible.Lines(s)
	return fmt.Sprintf("; the end of its standard error:\n    %s", strings.ReplaceAll(s, "\n", "\n    "))
}
