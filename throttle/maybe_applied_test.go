package throttle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// After a disconnect attempt that got no answer, whatever stops the
// retries must keep the "may have ended" flag and name this call's own
// operation, even when the answer that stopped it was another call's.
func TestUnansweredDisconnectStaysMaybeApplied(t *testing.T) {
	reset := func() error { return fmt.Errorf("DisconnectPhoneCall: POST x: %w", syscall.ECONNRESET) }
	cases := map[string]struct {
		script []error
		policy Policy
		// other, when set, runs while c1's first attempt is in flight.
		other   func(c *Caller) error
		wantAs  func(error) bool
		wantMsg string
	}{
		"retry answered with a back-off past -max-backoff": {
			script:  []error{reset(), serverBusy(opDisc, 5*time.Minute)},
			policy:  Policy{MaxBackoff: time.Minute},
			wantAs:  func(err error) bool { var be *BackoffError; return errors.As(err, &be) && be.Sent },
			wantMsg: "DisconnectPhoneCall not retried",
		},
		"retry held by another call's back-off past -max-backoff": {
			script: []error{reset()},
			policy: Policy{MaxBackoff: time.Minute, Parallelism: 2},
			other: func(c *Caller) error {
				_, err := c.CallInfo(context.Background(), "busy")
				return err
			},
			wantAs:  func(err error) bool { var be *BackoffError; return errors.As(err, &be) && be.Sent },
			wantMsg: "DisconnectPhoneCall not retried",
		},
		"exchange declared down": {
			script:  []error{reset(), reset()},
			policy:  Policy{DownAfter: 2, Parallelism: 1, Exchange: "corp"},
			wantAs:  func(err error) bool { var xe *ExchangeError; return errors.As(err, &xe) && xe.Kind == KindDown },
			wantMsg: "exchange corp is down",
		},
		"exchange declared overloaded": {
			script:  []error{reset(), serverBusy(opDisc, time.Second), serverBusy(opDisc, time.Second), serverBusy(opDisc, time.Second)},
			policy:  Policy{StallAfter: time.Second, DownAfter: 10, Parallelism: 1, Exchange: "corp", MaxAttempts: 10},
			wantAs:  func(err error) bool { var xe *ExchangeError; return errors.As(err, &xe) && xe.Kind == KindOverloaded },
			wantMsg: "exchange corp is overloaded",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock(true)
			ex := newFakeExchange(clock)
			ex.script["c1"] = tc.script
			ex.script["busy"] = []error{serverBusy(opInfo, 5*time.Minute)}
			p := tc.policy
			p.Clock, p.Rand = clock, zeroRand
			c := Wrap(ex, p)
			if tc.other != nil {
				var once bool
				ex.hold = func(ctx context.Context, op, id string) error {
					if id == "c1" && !once {
						once = true
						if err := tc.other(c); err == nil {
							t.Error("the other call succeeded; it was to shut the gate")
						}
					}
					return nil
				}
			}

			err := c.Disconnect(context.Background(), "c1")
			var m *MaybeAppliedError
			if !errors.As(err, &m) {
				t.Fatalf("err = %v, want it flagged as maybe applied", err)
			}
			if !tc.wantAs(err) {
				t.Errorf("err = %v (%T), not what stopped the retries", err, errors.Unwrap(err))
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tc.wantMsg)
			}
			if strings.Contains(err.Error(), "GetPhoneCallInformation") {
				t.Errorf("err = %q names another call's operation", err)
			}
		})
	}
}

// An interrupt while a retry waits keeps the flag too.
func TestInterruptAfterUnansweredDisconnectStaysMaybeApplied(t *testing.T) {
	clock := newFakeClock(false)
	ex := newFakeExchange(clock)
	ex.script["c1"] = []error{fmt.Errorf("DisconnectPhoneCall: POST x: %w", syscall.ECONNRESET)}
	c := Wrap(ex, Policy{Clock: clock, BaseDelay: time.Second, MaxDelay: time.Second, Rand: func() float64 { return 0.5 }})
	ctx, cancel := context.WithCancel(context.Background())
	done := clock.start(func() error { return c.Disconnect(ctx, "c1") })
	clock.waitAsleep(t, 1, done) // waiting to retry
	cancel()
	err := <-done
	var m *MaybeAppliedError
	if !errors.As(err, &m) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled flagged as maybe applied", err)
	}
	if !strings.HasPrefix(err.Error(), "DisconnectPhoneCall not retried") {
		t.Errorf("err = %q, want it to name DisconnectPhoneCall", err)
	}
}

// A connection that could not be made carried no request: a refused
// disconnect failed, and cannot have ended the call; one refused only
// after an earlier attempt went unanswered may have.
func TestRefusedDisconnectWasNeverSent(t *testing.T) {
	refused := func() error {
		return &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	}
	reset := func() error { return fmt.Errorf("DisconnectPhoneCall: POST x: %w", syscall.ECONNRESET) }
	cases := map[string]struct {
		script []error
		maybe  bool
	}{
		"refused":                     {[]error{refused(), refused()}, false},
		"refused after an unanswered": {[]error{reset(), refused()}, true},
		// The last attempt's silence counts as much as an earlier one's
		// (the back-off answer does not count as an attempt).
		"unanswered last attempt": {[]error{serverBusy(opDisc, time.Second), reset(), reset()}, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock(true)
			ex := newFakeExchange(clock)
			ex.script["c1"] = tc.script
			c := Wrap(ex, Policy{Clock: clock, Rand: zeroRand, MaxAttempts: 2, DownAfter: 10})
			err := c.Disconnect(context.Background(), "c1")
			if err == nil {
				t.Fatal("disconnect succeeded")
			}
			var m *MaybeAppliedError
			if got := errors.As(err, &m); got != tc.maybe {
				t.Errorf("err = %v: flagged maybe applied %v, want %v", err, got, tc.maybe)
			}
		})
	}
}
