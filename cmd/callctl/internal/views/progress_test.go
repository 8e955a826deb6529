package views

import (
	"strings"
	"testing"
	"time"

	"github.com/callctl/callctl/internal/testbuf"
)

func TestProgress(t *testing.T) {
	defer func(d, te, pe time.Duration) { progressDelay, progressTerminalEvery, progressPlainEvery = d, te, pe }(progressDelay, progressTerminalEvery, progressPlainEvery)
	progressDelay, progressTerminalEvery, progressPlainEvery = 0, time.Millisecond, time.Millisecond

	for _, terminal := range []bool{false, true} {
		var out testbuf.Buffer
		v := NewView(&Streams{Out: &out, OutIsTerminal: terminal}, true)
		p := v.startProgress("Looked up", 200)
		p.done.Add(50)
		for !strings.Contains(out.String(), "50/200") {
			time.Sleep(time.Millisecond)
		}
		v.printf("a result line\n")
		p.finish()
		got := out.String()
		if !strings.Contains(got, "Looked up 50/200 calls (25%)") || !strings.Contains(got, "left") {
			t.Errorf("terminal=%v: no done/total, percentage or time left in %q", terminal, got)
		}
		if terminal {
			// The status line is redrawn in place and erased before other
			// output, so the result line starts on a clean line.
			if strings.Contains(got, "\n") && !strings.Contains(got, "\r\x1b[Ka result line\n") {
				t.Errorf("result line not printed over an erased status line: %q", got)
			}
			if !strings.HasSuffix(got, "\r\x1b[K") && !strings.HasSuffix(got, "a result line\n") {
				t.Errorf("status line left on screen: %q", got)
			}
		} else if strings.Contains(got, "\x1b") || !strings.Contains(got, "...\n") {
			t.Errorf("plain progress has escapes or no newline: %q", got)
		}
	}
}

// The progress line says what the run is waiting for.
func TestProgressSaysWhatItWaitsFor(t *testing.T) {
	var out testbuf.Buffer
	v := NewView(&Streams{Out: &out}, true)
	v.WaitingFrom(func() []string { return []string{"waiting for exchange corp: no answer for 20s, attempt 2 of 3"} })
	p := &progress{v: v, verb: "Looked up", total: 1, start: time.Now()}
	if got, want := p.line(), "; waiting for exchange corp: no answer for 20s, attempt 2 of 3"; !strings.HasSuffix(got, want) {
		t.Errorf("line = %q, want it to end %q", got, want)
	}
}
