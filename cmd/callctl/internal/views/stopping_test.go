package views

import (
	"fmt"
	"strings"
	"testing"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/operation"
)

// An interrupt before any disconnect was started (at the confirmation
// prompt, during the lookups) must not speak of disconnects already sent.
func TestStoppingSaysWhatWasSent(t *testing.T) {
	tests := map[string]struct {
		vt       arguments.ViewType
		applying bool
		want     string
		notWant  string
	}{
		"human at the prompt":  {vt: arguments.ViewHuman, want: "No disconnect has been sent", notWant: "already sent"},
		"human while applying": {vt: arguments.ViewHuman, applying: true, want: "those already sent are allowed to finish"},
		"json at the prompt":   {vt: arguments.ViewJSON, want: "no disconnect has been sent", notWant: "no further disconnects"},
		"json while applying":  {vt: arguments.ViewJSON, applying: true, want: "no further disconnects will be started"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, out, _ := streams()
			v := NewOperation(tc.vt, NewView(s, true))
			phase := operation.PhasePreparing
			if tc.applying {
				v.Applying(3)
				phase = operation.PhaseDisconnecting
			}
			v.Stopping(phase)
			if !strings.Contains(out.String(), tc.want) || (tc.notWant != "" && strings.Contains(out.String(), tc.notWant)) {
				t.Errorf("output:\n%s\nwant %q and not %q", out, tc.want, tc.notWant)
			}
		})
	}
}

// Under -watch an interrupt between cycles must not claim that no
// disconnect has been sent: earlier cycles may have sent many.
func TestWatchStoppingSpeaksOfThisCycle(t *testing.T) {
	tests := map[string]struct {
		phase operation.Phase
		want  string
	}{
		"between cycles":      {phase: operation.PhaseFinished, want: "No disconnect is in flight"},
		"while looking up":    {phase: operation.PhasePreparing, want: "No disconnect is in flight"},
		"while disconnecting": {phase: operation.PhaseDisconnecting, want: "No further disconnects will be started"},
	}
	for name, tc := range tests {
		for _, vt := range []arguments.ViewType{arguments.ViewHuman, arguments.ViewJSON} {
			t.Run(fmt.Sprint(name, vt), func(t *testing.T) {
				s, out, _ := streams()
				v := NewWatch(vt, NewView(s, true))
				v.Stopping(tc.phase)
				got := strings.ToLower(out.String())
				if !strings.Contains(got, strings.ToLower(tc.want)) || strings.Contains(got, "no disconnect has been sent") {
					t.Errorf("output:\n%s\nwant %q and never \"no disconnect has been sent\"", out, tc.want)
				}
			})
		}
	}
}
