package json

import (
	"testing"
	"time"

	"github.com/callctl/callctl/watch"
)

func TestCycleSummaryString(t *testing.T) {
	started := time.Date(2026, 12, 2, 14, 2, 0, 0, time.Local)
	tests := map[string]struct {
		s    watch.Summary
		want string
	}{
		"ok": {
			watch.Summary{Cycle: 41, Result: "ok", LookedUp: 12, Disconnected: 2, NotFound: 1, Duration: 143 * time.Millisecond},
			"14:02:00 cycle 41: 12 looked up, 2 disconnected, 1 not found, 0 failed (143ms)",
		},
		"partial": {
			watch.Summary{Cycle: 2, Result: "partial", LookedUp: 3, Disconnected: 1, Failed: 2, Duration: time.Second},
			"14:02:00 cycle 2: 3 looked up, 1 disconnected, 0 not found, 2 failed (1s)",
		},
		"first failure": {
			watch.Summary{Cycle: 3, Result: "error", Errors: 2, Repeated: 1, Duration: 5 * time.Millisecond},
			"14:02:00 cycle 3: 0 looked up, 0 disconnected, 0 not found, 0 failed (5ms); cycle failed with 2 errors",
		},
		"same failure again": {
			watch.Summary{Cycle: 4, Result: "error", Errors: 1, Repeated: 1, Duration: 5 * time.Millisecond},
			"14:02:00 cycle 4: 0 looked up, 0 disconnected, 0 not found, 0 failed (5ms); cycle failed with 1 error, as before",
		},
		"interrupted": {
			watch.Summary{Cycle: 5, Result: "interrupted", Errors: 1, Duration: 5 * time.Millisecond},
			"14:02:00 cycle 5: 0 looked up, 0 disconnected, 0 not found, 0 failed (5ms); interrupted",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.s.Started = started
			if got := NewCycleSummary(&tc.s).String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
