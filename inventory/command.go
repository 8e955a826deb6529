package inventory

import (
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
	// after the command itself has exited or was killed.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	// However the command ended, nothing it started outlives it: a
	// grandchild left running (a sleeper holding the pipe, a daemon)
	// would otherwise pile up, one per watch cycle.
	killGroup(cmd)
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		// The command exited 0 and only a process it left behind held
		// the output open: what it wrote is its output.
		err = nil
	}
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
// It holds what it is given in chunks, never copying them to grow, so that
// reading up to max costs about max, and Bytes about max again: a
// bytes.Buffer doubling towards a 256 MiB cap left over 1.5 GB of garbage
// behind it.
type limitedBuffer struct {
	chunks   [][]byte
	n        int64
	max      int64
	overflow bool
}

// Chunk sizes: small outputs stay small, large ones take few chunks.
const (
	firstChunk = 32 << 10
	maxChunk   = 4 << 20
)

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.n+int64(len(p)) > b.max {
		b.overflow = true
		return 0, errors.New("inventory too large")
	}
	written := len(p)
	for len(p) > 0 {
		last := len(b.chunks) - 1
		if last < 0 || len(b.chunks[last]) == cap(b.chunks[last]) {
			size := firstChunk
			if last >= 0 {
				size = min(2*cap(b.chunks[last]), maxChunk)
			}
			b.chunks = append(b.chunks, make([]byte, 0, size))
			last++
		}
		c := b.chunks[last]
		k := min(len(p), cap(c)-len(c))
		b.chunks[last] = append(c, p[:k]...)
		p = p[k:]
	}
	b.n += int64(written)
	return written, nil
}

// Bytes joins the chunks into one slice and lets them go.
func (b *limitedBuffer) Bytes() []byte {
	if len(b.chunks) == 1 {
		return b.chunks[0]
	}
	out := make([]byte, 0, b.n)
	for i, c := range b.chunks {
		out = append(out, c...)
		b.chunks[i] = nil
	}
	b.chunks = nil
	return out
}

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
