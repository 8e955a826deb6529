package throttle

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callctl/callctl/soap"
)

// TestBackOffHoldsWholeExchange: once one request is told to back off 2s,
// no request at all reaches the exchange until 2s have passed on the
// clock, whether the others were queued behind it or arrived later.
func TestBackOffHoldsWholeExchange(t *testing.T) {
	cases := map[string]struct {
		parallelism int
		// othersFirst starts the other calls while the throttled request
		// is still in flight, so that they queue for its slot.
		othersFirst bool
	}{
		"queued behind the throttled request": {parallelism: 1, othersFirst: true},
		"arriving during the back-off":        {parallelism: 4},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			const backOff = 2 * time.Second
			clock := newFakeClock(false)
			start := clock.Now()
			ex := newFakeExchange(clock)
			ex.script["a"] = []error{serverBusy(opInfo, backOff)}
			entered, answer := make(chan struct{}), make(chan struct{})
			var first sync.Once // hold only a's first request
			ex.hold = func(ctx context.Context, op, id string) error {
				if id == "a" {
					first.Do(func() {
						close(entered)
						<-answer
					})
				}
				return nil
			}
			c := Wrap(ex, Policy{Clock: clock, Parallelism: tc.parallelism, Rand: zeroRand})

			var wg sync.WaitGroup
			errs := make(chan error, 4)
			call := func(id string) {
				wg.Go(func() {
					if _, err := c.CallInfo(context.Background(), id); err != nil {
						errs <- err
					}
				})
			}
			others := func() {
				for _, id := range []string{"b", "c", "d"} {
					call(id)
				}
			}
			call("a")
			<-entered
			if tc.othersFirst {
				others()
				// Only once b, c and d are queued for a's slot does the
				// case test its name: the gate shuts while they wait, and
				// each must look at it again after taking the slot.
				waitQueued(c.limiter, 3)
				close(answer)
			} else {
				close(answer)
				// "a" waits at the gate (or, wrongly, is sent again).
				clock.waitUntil(func(sleepers int) bool { return sleepers == 1 || len(ex.sent()) > 1 })
				others()
			}
			// Wait until all four are held at the gate, or one (wrongly)
			// got through to the exchange.
			clock.waitUntil(func(sleepers int) bool { return sleepers == 4 || len(ex.sent()) > 1 })
			if got := len(ex.sent()); got != 1 {
				t.Fatalf("%d requests reached the exchange during the back-off, want only the first", got)
			}
			clock.Advance(backOff - time.Millisecond)
			clock.waitSleepers(t, 4) // still all held
			if got := len(ex.sent()); got != 1 {
				t.Fatalf("%d requests reached the exchange before the back-off ended, want 1", got)
			}
			clock.Advance(time.Millisecond)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}

			sent := ex.sent()
			if len(sent) != 5 {
				t.Fatalf("exchange got %d requests, want 5 (a twice, b, c, d)", len(sent))
			}
			for _, r := range sent[1:] {
				if r.at.Before(start.Add(backOff)) {
					t.Errorf("request for %q sent at +%v, before the back-off of %v ended", r.id, r.at.Sub(start), backOff)
				}
			}
			s := c.Stats()
			if s.GateWaits != 4 || s.Throttled != 1 || s.Retries != 1 {
				t.Errorf("stats = %+v, want 4 gate waits, 1 throttled, 1 retry", s)
			}
			if s.Backoff != 4*backOff {
				t.Errorf("Stats.Backoff = %v, want %v (four calls held %v each)", s.Backoff, 4*backOff, backOff)
			}
		})
	}
}

func TestBackOffBeyondMaxBackoffFails(t *testing.T) {
	cases := map[string]struct {
		answer   error
		wait     time.Duration
		wantText string
	}{
		"ErrorServerBusy BackOffMilliseconds": {
			answer:   serverBusy(opInfo, 5*time.Minute),
			wait:     5 * time.Minute,
			wantText: "the exchange asked to back off 5m0s, more than -max-backoff 1m0s; GetPhoneCallInformation not retried: server answered ErrorServerBusy (back off 5m0s)",
		},
		"503 Retry-After": {
			answer:   httpError(opInfo, http.StatusServiceUnavailable, 10*time.Minute),
			wait:     10 * time.Minute,
			wantText: "the exchange asked to back off 10m0s, more than -max-backoff 1m0s; GetPhoneCallInformation not retried: server answered HTTP 503 (retry after 10m0s)",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock(false)
			ex := newFakeExchange(clock)
			ex.script["a"] = []error{tc.answer}
			c := Wrap(ex, Policy{Clock: clock, MaxBackoff: time.Minute})

			_, err := c.CallInfo(context.Background(), "a")
			var be *BackoffError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want a *BackoffError", err)
			}
			if !strings.HasPrefix(err.Error(), tc.wantText) {
				t.Errorf("message:\n got %q\nwant %q…", err, tc.wantText)
			}
			if !errors.Is(err, tc.answer) {
				t.Errorf("error does not wrap the server's answer %v", tc.answer)
			}
			if got := len(ex.sent()); got != 1 {
				t.Errorf("exchange got %d requests, want 1 (no retry)", got)
			}

			// Every other call fails at once too, unsent, naming its own
			// operation, while the back-off lasts.
			clock.Advance(time.Minute)
			err = c.Disconnect(context.Background(), "b")
			want := "the exchange asked to back off " + (tc.wait - time.Minute).String() + ", more than -max-backoff 1m0s; DisconnectPhoneCall not sent: "
			if !errors.As(err, &be) || be.Sent || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("second call: err = %v, want prefix %q", err, want)
			}
			if got := len(ex.sent()); got != 1 {
				t.Errorf("exchange got %d requests, want 1: the second call must not be sent", got)
			}

			// Once less than MaxBackoff is left, calls wait it out.
			clock.Advance(tc.wait - 2*time.Minute + time.Second)
			done := clock.start(func() error { return c.Disconnect(context.Background(), "b") })
			clock.waitAsleep(t, 1, done)
			clock.Advance(time.Minute)
			if err := <-done; err != nil {
				t.Errorf("after the back-off: %v", err)
			}
		})
	}
}

// TestGateKeepsLongestBackOff: a shorter back-off arriving later does not
// shorten the one already in force.
func TestGateKeepsLongestBackOff(t *testing.T) {
	var g gate
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	first, second := errors.New("first"), errors.New("second")
	g.closeUntil(now.Add(10*time.Second), first)
	g.closeUntil(now.Add(2*time.Second), second)
	if d, cause := g.wait(now); d != 10*time.Second || cause != first {
		t.Errorf("wait = %v, %v; want 10s, first", d, cause)
	}
	g.closeUntil(now.Add(20*time.Second), second)
	if d, cause := g.wait(now.Add(5 * time.Second)); d != 15*time.Second || cause != second {
		t.Errorf("wait = %v, %v; want 15s, second", d, cause)
	}
	if d, _ := g.wait(now.Add(20 * time.Second)); d != 0 {
		t.Errorf("wait after the back-off = %v, want 0", d)
	}
}

// waitQueued blocks until n acquirers are blocked on l for a slot. It
// polls, yielding the processor, because the limiter has no hook of its
// own for tests.
func waitQueued(l *limiter, n int) {
	for {
		l.mu.Lock()
		w := l.waiting
		l.mu.Unlock()
		if w == n {
			return
		}
		runtime.Gosched()
	}
}

var _ soap.Caller = (*fakeExchange)(nil)
