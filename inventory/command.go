package inventory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Command describes a command whose standard output is an inventory.
type Command struct {
	Argv    []string // run directly, never through a shell
	Dir     string   // working directory: the policy directory
	Env     []string // callctl's environment
	Timeout time.Duration
	Limits  Limits
}

// stderrTail is how much of a failed command's standard error a message
// quotes: enough for the error a script prints last.
const stderrTail = 2048

// Output runs the command and returns its standard output. The command
// and every process it started are killed when ctx ends or the timeout
// passes. The error says how the command failed and quotes the tail of
// its standard error; it never includes the environment, which may hold
// credentials.
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
		return nil, &Error{Source: source, Msg: fmt.Sprintf("did not finish within %s and was killed with the processes it started%s", c.Timeout, stderr.quote())}
	case ctx.Err() != nil:
		return nil, &Error{Source: source, Msg: "interrupted"}
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, &Error{Source: source, Msg: fmt.Sprintf("failed: %s%s", ee.ProcessState, stderr.quote())}
		}
		return nil, &Error{Source: source, Msg: fmt.Sprintf("cannot run: %s", err)}
	}
	return stdout.Bytes(), nil
}

// limitedBuffer keeps at most max bytes and notes an overflow, failing
// the write so that the command sees a broken pipe rather than running on.
type limitedBuffer struct {
	bytes.Buffer
	max      int64
	overflow bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if int64(b.Len()+len(p)) > b.max {
		b.overflow = true
		return 0, errors.New("inventory too large")
	}
	return b.Buffer.Write(p)
}

// tailBuffer keeps the last max bytes written.
type tailBuffer struct {
	buf []byte
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append(b.buf[:0], b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) quote() string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(b.buf), "\uFFFD"))
	if s == "" {
		return "; it wrote nothing to standard error"
	}
	return fmt.Sprintf("; the end of its standard error:\n%s", s)
}
