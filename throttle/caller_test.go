package throttle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callctl/callctl/soap"
)

const (
	opInfo = "GetPhoneCallInformation"
	opDisc = "DisconnectPhoneCall"
)

// methods runs f against each of the Caller's two operations.
var methods = []struct {
	name string
	op   string
	call func(c *Caller, ctx context.Context, id string) error
}{
	{"CallInfo", opInfo, func(c *Caller, ctx context.Context, id string) error {
		info, err := c.CallInfo(ctx, id)
		if err == nil && info.State != soap.StateConnected {
			return fmt.Errorf("state %q, want %q", info.State, soap.StateConnected)
		}
		return err
	}},
	{"Disconnect", opDisc, func(c *Caller, ctx context.Context, id string) error {
		return c.Disconnect(ctx, id)
	}},
}

func TestTransientErrorsAreRetried(t *testing.T) {
	transient := map[string]func(op string) error{
		"ErrorServerBusy":                   func(op string) error { return serverBusy(op, 0) },
		"ErrorServerBusy with back-off":     func(op string) error { return serverBusy(op, 2*time.Second) },
		"ErrorInternalServerTransientError": func(op string) error { return responseError(op, "ErrorInternalServerTransientError") },
		"ErrorExceededConnectionCount":      func(op string) error { return responseError(op, "ErrorExceededConnectionCount") },
		"UM ServerBusyException": func(op string) error {
			return &soap.Fault{Operation: op, Code: "ServerBusyException", StatusCode: 500}
		},
		"HTTP 503 with Retry-After": func(op string) error { return httpError(op, http.StatusServiceUnavailable, time.Second) },
		"HTTP 500 error page":       func(op string) error { return httpError(op, http.StatusInternalServerError, 0) },
		"connection reset": func(op string) error {
			return fmt.Errorf("%s: POST http://x/EWS/Exchange.asmx: %w", op, syscall.ECONNRESET)
		},
		"unexpected EOF": func(op string) error {
			return fmt.Errorf("%s: POST http://x/EWS/Exchange.asmx: %w", op, io.ErrUnexpectedEOF)
		},
		"request timeout": func(op string) error {
			return fmt.Errorf("%s: no answer within 60s: %w", op, context.DeadlineExceeded)
		},
	}
	for name, mk := range transient {
		for _, m := range methods {
			t.Run(name+"/"+m.name, func(t *testing.T) {
				clock := newFakeClock(true)
				ex := newFakeExchange(clock)
				ex.script["c1"] = []error{mk(m.op), mk(m.op)}
				c := Wrap(ex, Policy{Clock: clock, MaxBackoff: time.Minute})

				if err := m.call(c, context.Background(), "c1"); err != nil {
					t.Fatalf("err = %v, want success on the third attempt", err)
				}
				if n := len(ex.sent()); n != 3 {
					t.Errorf("inner caller got %d requests, want 3", n)
				}
				if s := c.Stats(); s.Attempts != 3 || s.Retries != 2 {
					t.Errorf("stats = %+v, want 3 attempts, 2 retries", s)
				}
			})
		}
	}
}

func TestNonTransientErrorsAreNotRetried(t *testing.T) {
	nonTransient := map[string]func(op string) error{
		"call not found":       func(op string) error { return responseError(op, "ErrorInvalidPhoneCallId") },
		"bare ErrCallNotFound": func(string) error { return soap.ErrCallNotFound },
		"access denied":        func(op string) error { return responseError(op, "ErrorAccessDenied") },
		"HTTP 401":             func(op string) error { return httpError(op, http.StatusUnauthorized, 0) },
		"malformed answer": func(op string) error {
			return &soap.MalformedError{Operation: op, StatusCode: 200, Err: errors.New("unexpected EOF in XML")}
		},
		"schema fault": func(op string) error {
			return &soap.Fault{Operation: op, Code: "Client", ResponseCode: "ErrorSchemaValidation", StatusCode: 500}
		},
	}
	for name, mk := range nonTransient {
		for _, m := range methods {
			t.Run(name+"/"+m.name, func(t *testing.T) {
				clock := newFakeClock(true)
				ex := newFakeExchange(clock)
				want := mk(m.op)
				ex.script["c1"] = []error{want}
				c := Wrap(ex, Policy{Clock: clock})

				err := m.call(c, context.Background(), "c1")
				if soap.AuthFailed(want) {
					// A refused login gives the exchange up: the answer
					// is kept inside the error that says so.
					var xe *ExchangeError
					if !errors.As(err, &xe) || xe.Kind != KindAuth || !errors.Is(err, want) {
						t.Fatalf("err = %v, want an auth ExchangeError wrapping %v", err, want)
					}
				} else if err != want {
					t.Fatalf("err = %v, want the inner error itself (%v)", err, want)
				}
				if n := len(ex.sent()); n != 1 {
					t.Errorf("inner caller got %d requests, want 1", n)
				}
				if s := c.Stats(); s.Retries != 0 {
					t.Errorf("stats = %+v, want no retries", s)
				}
			})
		}
	}
}

func TestMaxAttemptsExhausted(t *testing.T) {
	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) {
			clock := newFakeClock(true)
			ex := newFakeExchange(clock)
			transient := responseError(m.op, "ErrorInternalServerTransientError")
			last := serverBusy(m.op, 0)
			ex.script["c1"] = []error{transient, transient, last, transient}
			c := Wrap(ex, Policy{Clock: clock, MaxAttempts: 3})

			err := m.call(c, context.Background(), "c1")
			var giveUp *GiveUpError
			if !errors.As(err, &giveUp) {
				t.Fatalf("err = %v, want a *GiveUpError", err)
			}
			if giveUp.Attempts != 3 || giveUp.Err != last {
				t.Errorf("GiveUpError = %+v, want 3 attempts wrapping the third answer", giveUp)
			}
			var fault *soap.Fault
			if !errors.As(err, &fault) || fault.Code != "ErrorServerBusy" {
				t.Errorf("errors.As does not find the last answer's fault in %v", err)
			}
			wantPrefix := m.op + " failed 3 times, giving up; last: server answered ErrorServerBusy"
			if !strings.HasPrefix(err.Error(), wantPrefix) {
				t.Errorf("message = %q, want prefix %q", err, wantPrefix)
			}
			if n := len(ex.sent()); n != 3 {
				t.Errorf("inner caller got %d requests, want 3", n)
			}
		})
	}
}

// TestBackoffIsExponentialWithFullJitter checks the delays drawn between
// attempts against the policy's formula with a fixed random draw.
func TestBackoffIsExponentialWithFullJitter(t *testing.T) {
	p := Policy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, Rand: func() float64 { return 0.5 }}.withDefaults()
	want := []time.Duration{50, 100, 200, 400, 500, 500} // ms: half of 100·2^(n-1), capped at 1s
	for i, w := range want {
		if got := p.delay(i + 1); got != w*time.Millisecond {
			t.Errorf("delay before retry %d = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}

	clock := newFakeClock(true)
	ex := newFakeExchange(clock)
	ex.script["c1"] = []error{serverBusy(opInfo, 0), serverBusy(opInfo, 0), serverBusy(opInfo, 0)}
	p.Clock = clock
	c := Wrap(ex, p)
	if _, err := c.CallInfo(context.Background(), "c1"); err != nil {
		t.Fatal(err)
	}
	if got, want := c.Stats().Backoff, 350*time.Millisecond; got != want {
		t.Errorf("Stats.Backoff = %v, want %v (50+100+200ms)", got, want)
	}
}

// TestPerAttemptTimeout: a request the server never answers costs one
// attempt, and the next attempt gets a fresh timeout.
func TestPerAttemptTimeout(t *testing.T) {
	cases := map[string]func(ctx context.Context, op string) error{
		"inner reports the deadline": func(ctx context.Context, op string) error {
			return fmt.Errorf("%s: no answer: %w", op, ctx.Err())
		},
		// go-ntlmssp turns a failed AUTHENTICATE leg into the server's
		// first 401; at the deadline that is a timeout, not a refusal.
		"inner reports a 401": func(ctx context.Context, op string) error {
			return httpError(op, http.StatusUnauthorized, 0)
		},
	}
	for name, hungAnswer := range cases {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock(true)
			ex := newFakeExchange(clock)
			hung := true
			ex.hold = func(ctx context.Context, op, id string) error {
				if hung {
					hung = false // attempts are sequential: no race
					<-ctx.Done()
					return hungAnswer(ctx, opDisc)
				}
				return nil
			}
			c := Wrap(ex, Policy{Clock: clock, Timeout: time.Millisecond})
			if err := c.Disconnect(context.Background(), "c1"); err != nil {
				t.Fatalf("err = %v, want success on the second attempt", err)
			}
			if n := len(ex.sent()); n != 2 {
				t.Errorf("inner caller got %d requests, want 2", n)
			}
		})
	}

	t.Run("every attempt hangs", func(t *testing.T) {
		clock := newFakeClock(true)
		ex := newFakeExchange(clock)
		ex.hold = func(ctx context.Context, op, id string) error {
			<-ctx.Done()
			return httpError(opInfo, http.StatusUnauthorized, 0)
		}
		c := Wrap(ex, Policy{Clock: clock, Timeout: time.Millisecond, MaxAttempts: 2})
		_, err := c.CallInfo(context.Background(), "c1")
		want := "GetPhoneCallInformation failed 2 times, giving up; last: no answer within 1ms (an earlier attempt got no answer)"
		if !errors.Is(err, context.DeadlineExceeded) || err.Error() != want {
			t.Errorf("err = %v, want DeadlineExceeded and prefix %q", err, want)
		}
		var herr *soap.HTTPError
		if errors.As(err, &herr) {
			t.Errorf("errors.As finds the masking 401 in %v", err)
		}
	})
}

// TestDisconnectRetryFindsCallGone: a disconnect whose first attempt was
// lost in transit (but may have ended the call) and whose retry is told
// the call is unknown reports ErrCallNotFound, which reconcile counts as
// already ended.
func TestDisconnectRetryFindsCallGone(t *testing.T) {
	clock := newFakeClock(true)
	ex := newFakeExchange(clock)
	ex.script["c1"] = []error{
		fmt.Errorf("%s: POST http://x: %w", opDisc, syscall.ECONNRESET),
		responseError(opDisc, "ErrorInvalidPhoneCallId"),
	}
	c := Wrap(ex, Policy{Clock: clock})
	err := c.Disconnect(context.Background(), "c1")
	if !errors.Is(err, soap.ErrCallNotFound) {
		t.Fatalf("err = %v, want ErrCallNotFound", err)
	}
	if n := len(ex.sent()); n != 2 {
		t.Errorf("inner caller got %d requests, want 2", n)
	}
}

// TestCancelDuringWait: whichever wait a call is in when its context is
// cancelled, it returns with context.Canceled.
func TestCancelDuringWait(t *testing.T) {
	cases := map[string]struct {
		setup func(t *testing.T, ex *fakeExchange, c *Caller)
		// sleepers is how many goroutines the fake clock holds once the
		// call under test is waiting.
		sleepers int
		wantLast bool // the error also carries the last answer
	}{
		"jittered delay": {
			setup: func(_ *testing.T, ex *fakeExchange, _ *Caller) {
				ex.script["c1"] = []error{serverBusy(opInfo, 0)}
			},
			sleepers: 1,
			wantLast: true,
		},
		"exchange-wide gate": {
			setup: func(t *testing.T, ex *fakeExchange, c *Caller) {
				ex.script["other"] = []error{serverBusy(opInfo, 30*time.Second)}
				c.p.MaxAttempts = 1
				if _, err := c.CallInfo(context.Background(), "other"); err == nil {
					t.Fatal("scripted busy answer did not come back")
				}
			},
			sleepers: 1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock(false)
			ex := newFakeExchange(clock)
			c := Wrap(ex, Policy{Clock: clock, Rand: func() float64 { return 0.5 }})
			tc.setup(t, ex, c)
			c.p.MaxAttempts = 6

			ctx, cancel := context.WithCancel(context.Background())
			done := clock.start(func() error {
				_, err := c.CallInfo(ctx, "c1")
				return err
			})
			clock.waitAsleep(t, tc.sleepers, done)
			cancel()
			err := <-done
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			var fault *soap.Fault
			if got := errors.As(err, &fault); got != tc.wantLast {
				t.Errorf("errors.As(err, *soap.Fault) = %v, want %v (err %v)", got, tc.wantLast, err)
			}
		})
	}

	t.Run("waiting for a slot", func(t *testing.T) {
		clock := newFakeClock(false)
		ex := newFakeExchange(clock)
		entered, release := make(chan struct{}), make(chan struct{})
		ex.hold = func(ctx context.Context, op, id string) error {
			if id == "busy" {
				close(entered)
				<-release
			}
			return nil
		}
		c := Wrap(ex, Policy{Clock: clock, Parallelism: 1})
		go c.Disconnect(context.Background(), "busy")
		<-entered
		defer close(release)

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := c.Disconnect(ctx, "c1")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if want := "DisconnectPhoneCall not sent: context canceled"; err.Error() != want {
			t.Errorf("message = %q, want %q", err, want)
		}
	})
}

func TestOperationNames(t *testing.T) {
	um, err := soap.NewUM(soap.Options{URL: "http://127.0.0.1:1/UnifiedMessaging/Service.asmx"})
	if err != nil {
		t.Fatal(err)
	}
	ews, err := soap.NewEWS(soap.Options{URL: "http://127.0.0.1:1/EWS/Exchange.asmx"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		inner          soap.Caller
		lookup, discon string
	}{
		{um, "GetCallInfo", "Disconnect"},
		{ews, "GetPhoneCallInformation", "DisconnectPhoneCall"},
		{newFakeExchange(newFakeClock(true)), "GetPhoneCallInformation", "DisconnectPhoneCall"},
	} {
		c := Wrap(tc.inner, Policy{})
		if c.lookupOp != tc.lookup || c.disconnectOp != tc.discon {
			t.Errorf("%T: names %q, %q; want %q, %q", tc.inner, c.lookupOp, c.disconnectOp, tc.lookup, tc.discon)
		}
	}
}

func TestCloseClosesInner(t *testing.T) {
	ex := newFakeExchange(newFakeClock(true))
	Wrap(ex, Policy{}).Close()
	if !ex.closed {
		t.Error("inner caller not closed")
	}
}

// TestEarlierUnansweredAttemptIsRemembered: a disconnect whose first
// attempt was cut off and whose last got a 503 may have ended the call; the
// final error must say so.
func TestEarlierUnansweredAttemptIsRemembered(t *testing.T) {
	clock := newFakeClock(true)
	ex := newFakeExchange(clock)
	ex.script["c1"] = []error{
		fmt.Errorf("DisconnectPhoneCall: POST x: %w", syscall.ECONNRESET),
		httpError(opDisc, http.StatusServiceUnavailable, 0),
	}
	c := Wrap(ex, Policy{Clock: clock, Rand: zeroRand, MaxAttempts: 2})
	err := c.Disconnect(context.Background(), "c1")
	var m *MaybeAppliedError
	if !errors.As(err, &m) {
		t.Fatalf("err = %v, want a MaybeAppliedError", err)
	}
	var herr *soap.HTTPError
	if !errors.As(err, &herr) || herr.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("the last answer is lost: %v", err)
	}
	// Answered every time: nothing to flag.
	ex.script["c2"] = []error{httpError(opDisc, http.StatusServiceUnavailable, 0), httpError(opDisc, http.StatusServiceUnavailable, 0)}
	if err := c.Disconnect(context.Background(), "c2"); errors.As(err, &m) {
		t.Errorf("flagged although every attempt was answered: %v", err)
	}
}

func TestNotFoundAfterUnansweredAttemptIsFlagged(t *testing.T) {
	clock := newFakeClock(true)
	ex := newFakeExchange(clock)
	ex.script["c1"] = []error{
		fmt.Errorf("DisconnectPhoneCall: POST x: %w", syscall.ECONNRESET),
		soap.ErrCallNotFound,
	}
	c := Wrap(ex, Policy{Clock: clock, Rand: zeroRand, MaxAttempts: 3})
	err := c.Disconnect(context.Background(), "c1")
	var m *MaybeAppliedError
	if !errors.Is(err, soap.ErrCallNotFound) || !errors.As(err, &m) {
		t.Errorf("err = %v; want ErrCallNotFound flagged as maybe applied", err)
	}
}

// TestDefaultAttempts holds the README's promise: a transient failure is
// retried, up to 8 attempts in all, when the policy leaves MaxAttempts zero.
func TestDefaultAttempts(t *testing.T) {
	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) {
			clock := newFakeClock(true)
			ex := newFakeExchange(clock)
			transient := responseError(m.op, "ErrorInternalServerTransientError")
			ex.script["c1"] = slices.Repeat([]error{transient}, 10)
			c := Wrap(ex, Policy{Clock: clock})

			err := m.call(c, context.Background(), "c1")
			var giveUp *GiveUpError
			if !errors.As(err, &giveUp) || giveUp.Attempts != 8 {
				t.Errorf("err = %v, want a *GiveUpError after 8 attempts", err)
			}
			if n := len(ex.sent()); n != 8 {
				t.Errorf("inner caller got %d requests, want 8", n)
			}
		})
	}
}
