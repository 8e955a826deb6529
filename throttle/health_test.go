package throttle

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/callctl/callctl/soap"
)

// TestHealthRules holds the README's rules for giving an exchange up:
// before it has answered, DownAfter unanswered requests in a row; after,
// only no successful answer for max(StallAfter, twice the longest
// back-off it asked for), however many failures and back-offs come in
// that time.
func TestHealthRules(t *testing.T) {
	var (
		hang   = fmt.Errorf("GetPhoneCallInformation: %w", context.DeadlineExceeded)
		reset  = fmt.Errorf("GetPhoneCallInformation: %w", syscall.ECONNRESET)
		denied = &soap.HTTPError{Operation: "GetPhoneCallInformation", StatusCode: 401}
		busy   = func(d time.Duration) error { return serverBusy(opInfo, d) }
		// An answer that is no overload and no transient failure, but
		// names a back-off longer than callctl waits.
		tooLong = &soap.ResponseError{Operation: opInfo, Class: "Error", Code: "ErrorAccessDenied", BackOff: 10 * time.Minute}
	)
	type step struct {
		at   time.Duration // since the start
		err  error         // nil: a successful answer
		want string        // the Kind given up with after this step, "" for none
	}
	tests := map[string]struct {
		policy Policy
		steps  []step
	}{
		"hung from the start: down on the DownAfter-th request, not before": {
			steps: []step{{0, hang, ""}, {8 * time.Second, hang, ""}, {16 * time.Second, hang, KindDown}},
		},
		"answered, then failing: given up only after the stall window": {
			steps: []step{{0, nil, ""}, {time.Second, hang, ""}, {2 * time.Second, reset, ""}, {3 * time.Second, hang, ""},
				{20 * time.Second, reset, ""}, {30 * time.Second, hang, ""}, {31 * time.Second, hang, KindDown}},
		},
		"random back-offs between successes never give up": {
			steps: []step{{0, nil, ""}, {1, busy(2 * time.Second), ""}, {2, busy(2 * time.Second), ""}, {3, busy(2 * time.Second), ""},
				{4, busy(2 * time.Second), ""}, {2 * time.Second, nil, ""}, {29 * time.Second, busy(2 * time.Second), ""},
				{50 * time.Second, busy(2 * time.Second), ""}, {58 * time.Second, nil, ""}, {80 * time.Second, busy(2 * time.Second), ""}},
		},
		"busy on every request: overloaded after the stall window": {
			steps: []step{{0, busy(2 * time.Second), ""}, {2 * time.Second, busy(2 * time.Second), ""}, {4 * time.Second, busy(2 * time.Second), ""},
				{29 * time.Second, busy(2 * time.Second), ""}, {30 * time.Second, busy(2 * time.Second), KindOverloaded}},
		},
		"a long back-off widens the window to twice it": {
			steps: []step{{0, nil, ""}, {time.Second, busy(20 * time.Second), ""}, {21 * time.Second, busy(20 * time.Second), ""},
				{40 * time.Second, busy(20 * time.Second), ""}, {41 * time.Second, busy(20 * time.Second), KindOverloaded}},
		},
		"a back-off past -max-backoff is no progress and no answer": {
			policy: Policy{MaxBackoff: time.Minute},
			steps:  []step{{0, busy(5 * time.Minute), ""}, {time.Second, busy(5 * time.Minute), ""}, {2 * time.Second, busy(5 * time.Minute), KindDown}},
		},
		"an error with a back-off past -max-backoff is no sign of health": {
			policy: Policy{MaxBackoff: time.Minute},
			steps:  []step{{0, tooLong, ""}, {time.Second, tooLong, ""}, {2 * time.Second, tooLong, KindDown}},
		},
		"as many failures as back-offs in the window: down, not overloaded": {
			steps: []step{{0, nil, ""}, {time.Second, busy(2 * time.Second), ""}, {2 * time.Second, hang, ""},
				{3 * time.Second, busy(2 * time.Second), ""}, {31 * time.Second, hang, KindDown}},
		},
		"a success restarts the window": {
			steps: []step{{0, nil, ""}, {time.Second, hang, ""}, {25 * time.Second, nil, ""}, {40 * time.Second, hang, ""}, {69 * time.Second, hang, ""}},
		},
		"a refused login gives up at once": {
			steps: []step{{0, denied, KindAuth}},
		},
		"a refused login gives up at once, also after answers": {
			steps: []step{{0, nil, ""}, {time.Second, denied, KindAuth}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := tc.policy.withDefaults()
			var h health
			start := time.Unix(1e9, 0)
			for i, s := range tc.steps {
				transient, wait := soap.Retryable(s.err)
				got := ""
				if xe := h.record(false, s.err, transient, wait, start.Add(s.at), p); xe != nil {
					got = xe.Kind
				}
				if got != s.want {
					t.Fatalf("step %d (%s, %v): given up %q, want %q", i, s.at, s.err, got, s.want)
				}
			}
		})
	}
}
