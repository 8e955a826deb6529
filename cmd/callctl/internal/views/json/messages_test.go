package json

import "testing"

func TestApplySummaryString(t *testing.T) {
	tests := map[string]struct {
		s    ApplySummary
		want string
	}{
		"complete":    {ApplySummary{Disconnected: 3, AlreadyEnded: 1, Failed: 1}, "Apply complete! Calls: 3 disconnected, 1 already ended, 1 failed."},
		"left alone":  {ApplySummary{Disconnected: 1, LeftAlone: 2}, "Apply complete! Calls: 1 disconnected, 0 already ended, 0 failed, 2 left alone."},
		"interrupted": {ApplySummary{Disconnected: 2, NotStarted: 8, Interrupted: true}, "Apply interrupted! Calls: 2 disconnected, 0 already ended, 0 failed, 8 not started."},
		"deadline":    {ApplySummary{Disconnected: 2, Failed: 1, NotStarted: 7, Interrupted: true, DeadlineExceeded: true}, "Apply stopped at -deadline! Calls: 2 disconnected, 0 already ended, 1 failed, 7 not started."},
	}
	for name, tc := range tests {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
}
