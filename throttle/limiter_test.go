package throttle

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"testing"
)

// TestLimitHalvesOnOverloadAndRecovers walks the limit through a sequence
// of answers, one request at a time.
func TestLimitHalvesOnOverloadAndRecovers(t *testing.T) {
	clock := newFakeClock(true)
	ex := newFakeExchange(clock)
	c := Wrap(ex, Policy{Clock: clock, Parallelism: 8, RecoverAfter: 2, MaxAttempts: 1, Rand: zeroRand})
	ctx := context.Background()

	steps := []struct {
		answer error // nil: success
		want   int
	}{
		{serverBusy(opInfo, 0), 4},
		{responseError(opInfo, "ErrorExceededConnectionCount"), 2},
		{httpError(opInfo, http.StatusServiceUnavailable, 0), 1},
		{serverBusy(opInfo, 0), 1},                                      // never below 1
		{responseError(opInfo, "ErrorInternalServerTransientError"), 1}, // transient, not overload: no change
		{nil, 1},
		{nil, 2},
		{responseError(opInfo, "ErrorInvalidPhoneCallId"), 2}, // an answer all the same
		{nil, 3},
		{httpError(opInfo, http.StatusBadGateway, 0), 3}, // a failure, but not overload
		{nil, 3},
		{nil, 4},
		{serverBusy(opInfo, 0), 2},
	}
	for i := range 12 { // back up to the ceiling and no further
		steps = append(steps, struct {
			answer error
			want   int
		}{nil, min(8, 2+(i+1)/2)})
	}
	for i, s := range steps {
		if s.answer != nil {
			ex.script["c"] = []error{s.answer}
		}
		_, _ = c.CallInfo(ctx, "c")
		if got := c.Limit(); got != s.want {
			t.Fatalf("step %d (%v): limit %d, want %d", i, s.answer, got, s.want)
		}
	}
}

// TestOneBurstHalvesOnce: overload answers to requests that were all in
// flight together count as one signal, as in TCP's one decrease per window.
func TestOneBurstHalvesOnce(t *testing.T) {
	const n = 4
	clock := newFakeClock(true)
	ex := newFakeExchange(clock)
	var arrived sync.WaitGroup
	arrived.Add(n)
	ex.hold = func(ctx context.Context, op, id string) error {
		arrived.Done()
		arrived.Wait() // answer only once all n are in flight
		return serverBusy(opInfo, 0)
	}
	c := Wrap(ex, Policy{Clock: clock, Parallelism: 8, MaxAttempts: 1})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { _, _ = c.CallInfo(context.Background(), "c") })
	}
	wg.Wait()
	if s := c.Stats(); c.Limit() != 4 || s.Throttled != n {
		t.Errorf("stats = %+v, want limit 4 (halved once) after %d overload answers", s, n)
	}
}

// TestLimitBoundsRequestsInFlight: with the limit lowered to 2 and two
// requests in flight, a third call waits for a slot and is sent only once
// one of them is answered.
func TestLimitBoundsRequestsInFlight(t *testing.T) {
	clock := newFakeClock(true)
	ex := newFakeExchange(clock)
	c := Wrap(ex, Policy{Clock: clock, Parallelism: 8, RecoverAfter: 1000, MaxAttempts: 1})
	for range 2 {
		ex.script["c"] = []error{serverBusy(opInfo, 0)}
		_, _ = c.CallInfo(context.Background(), "c")
	}
	if got := c.Limit(); got != 2 {
		t.Fatalf("limit %d after two overloads, want 2", got)
	}

	release := map[string]chan struct{}{"held1": make(chan struct{}), "held2": make(chan struct{})}
	entered := make(chan string, 3)
	ex.hold = func(ctx context.Context, op, id string) error {
		entered <- id
		if ch := release[id]; ch != nil {
			<-ch
		}
		return nil
	}
	var wg sync.WaitGroup
	for _, id := range []string{"held1", "held2", "third"} {
		if id == "third" {
			<-entered
			<-entered // both held requests are in flight
		}
		wg.Go(func() {
			if err := c.Disconnect(context.Background(), id); err != nil {
				t.Error(err)
			}
		})
	}
	// Wait until the third call either queues for a slot or (wrongly)
	// reaches the exchange.
	for {
		c.limiter.mu.Lock()
		waiting := c.limiter.waiting
		c.limiter.mu.Unlock()
		if waiting == 1 || len(entered) > 0 {
			break
		}
		runtime.Gosched()
	}
	if len(entered) > 0 {
		t.Fatalf("request %q was sent while two were in flight under a limit of 2", <-entered)
	}
	close(release["held1"])
	if id := <-entered; id != "third" {
		t.Errorf("after a slot came free, %q was sent, want third", id)
	}
	close(release["held2"])
	wg.Wait()
	if ex.maxSeen != 2 {
		t.Errorf("%d requests were in flight at once, want 2", ex.maxSeen)
	}
}
