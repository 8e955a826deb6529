package throttle

import (
	"context"
	"errors"
	"testing"
	"time"
)

// With NeverWait (-max-backoff=0) a server-advised back-off, however
// short, fails the call at once instead of being waited out; a plain
// transient failure is still retried.
func TestNeverWaitFailsAdvisedBackoff(t *testing.T) {
	cases := map[string]struct {
		answer   error
		wantSent int
		wantErr  bool
	}{
		"a one-second back-off fails":        {answer: serverBusy(opInfo, time.Second), wantSent: 1, wantErr: true},
		"busy without a back-off is retried": {answer: serverBusy(opInfo, 0), wantSent: 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock(true)
			ex := newFakeExchange(clock)
			ex.script["a"] = []error{tc.answer}
			c := Wrap(ex, Policy{Clock: clock, MaxBackoff: NeverWait})
			_, err := c.CallInfo(context.Background(), "a")
			var be *BackoffError
			if got := errors.As(err, &be); got != tc.wantErr {
				t.Fatalf("err = %v; BackoffError %v, want %v", err, got, tc.wantErr)
			}
			if got := len(ex.sent()); got != tc.wantSent {
				t.Errorf("exchange got %d requests, want %d", got, tc.wantSent)
			}
		})
	}
}

// Zero still means the default: a short advised back-off is waited out.
func TestZeroMaxBackoffIsTheDefault(t *testing.T) {
	clock := newFakeClock(true)
	ex := newFakeExchange(clock)
	ex.script["a"] = []error{serverBusy(opInfo, time.Second)}
	c := Wrap(ex, Policy{Clock: clock})
	if _, err := c.CallInfo(context.Background(), "a"); err != nil {
		t.Fatalf("err = %v, want the back-off waited out", err)
	}
}
