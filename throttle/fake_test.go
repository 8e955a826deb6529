package throttle

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/callctl/callctl/soap"
)

// fakeClock is a Clock whose time moves only when told. In auto mode every
// Sleep moves it on by the time slept and returns at once, for tests that
// only count delays; otherwise sleepers wait for Advance.
type fakeClock struct {
	auto bool

	mu       sync.Mutex
	now      time.Time
	sleepers []*sleeper
	changed  chan struct{} // closed and replaced when sleepers changes
}

type sleeper struct {
	until time.Time
	wake  chan struct{}
}

func newFakeClock(auto bool) *fakeClock {
	return &fakeClock{auto: auto, now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), changed: make(chan struct{})}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	if f.auto {
		f.now = f.now.Add(d)
		f.mu.Unlock()
		return ctx.Err()
	}
	s := &sleeper{until: f.now.Add(d), wake: make(chan struct{})}
	f.sleepers = append(f.sleepers, s)
	f.notifyLocked()
	f.mu.Unlock()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		if i := slices.Index(f.sleepers, s); i >= 0 {
			f.sleepers = slices.Delete(f.sleepers, i, i+1)
			f.notifyLocked()
		}
		f.mu.Unlock()
		return ctx.Err()
	}
}

// Advance moves time on by d and wakes the sleepers then due.
func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.sleepers = slices.DeleteFunc(f.sleepers, func(s *sleeper) bool {
		if f.now.Before(s.until) {
			return false
		}
		close(s.wake)
		return true
	})
	f.notifyLocked()
}

// waitSleepers blocks until exactly n goroutines are asleep.
func (f *fakeClock) waitSleepers(t *testing.T, n int) {
	t.Helper()
	f.waitUntil(func(sleepers int) bool { return sleepers == n })
}

// waitUntil blocks until cond, given the number of sleepers, holds. It
// is checked again whenever a sleeper comes or goes or poke is called.
func (f *fakeClock) waitUntil(cond func(sleepers int) bool) {
	for {
		f.mu.Lock()
		n, changed := len(f.sleepers), f.changed
		f.mu.Unlock()
		if cond(n) {
			return
		}
		<-changed
	}
}

// start runs fn in a goroutine; its result arrives on the returned
// channel, and waitUntil is woken to notice.
func (f *fakeClock) start(fn func() error) <-chan error {
	done := make(chan error, 1)
	go func() {
		done <- fn()
		f.poke()
	}()
	return done
}

// waitAsleep waits until n goroutines are asleep, failing the test if the
// call behind done returns first instead of waiting.
func (f *fakeClock) waitAsleep(t *testing.T, n int, done <-chan error) {
	t.Helper()
	f.waitUntil(func(sleepers int) bool { return sleepers == n || len(done) > 0 })
	if len(done) > 0 {
		t.Fatalf("call returned (err %v) instead of waiting", <-done)
	}
}

// poke wakes waitUntil to check its condition again.
func (f *fakeClock) poke() {
	f.mu.Lock()
	f.notifyLocked()
	f.mu.Unlock()
}

func (f *fakeClock) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// request is one request the fake exchange received.
type request struct {
	op, id string
	at     time.Time // on the fake clock
}

// fakeExchange is a scripted inner Caller: for each call id, the errors
// its next requests get, in order; once the script runs out, success.
type fakeExchange struct {
	clock *fakeClock
	// hold, when set, is called at the start of every request; it may
	// block, and its error (if any) becomes the answer.
	hold func(ctx context.Context, op, id string) error

	mu       sync.Mutex
	script   map[string][]error
	requests []request
	inFlight int
	maxSeen  int
	closed   bool
}

func newFakeExchange(clock *fakeClock) *fakeExchange {
	return &fakeExchange{clock: clock, script: map[string][]error{}}
}

func (f *fakeExchange) answer(ctx context.Context, op, id string) error {
	f.mu.Lock()
	f.requests = append(f.requests, request{op: op, id: id, at: f.clock.Now()})
	f.inFlight++
	f.maxSeen = max(f.maxSeen, f.inFlight)
	f.mu.Unlock()
	f.clock.poke()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if f.hold != nil {
		if err := f.hold(ctx, op, id); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.script[id]; len(s) > 0 {
		f.script[id] = s[1:]
		return s[0]
	}
	return nil
}

func (f *fakeExchange) CallInfo(ctx context.Context, id string) (soap.CallInfo, error) {
	if err := f.answer(ctx, "CallInfo", id); err != nil {
		return soap.CallInfo{}, err
	}
	return soap.CallInfo{State: soap.StateConnected, Cause: "None"}, nil
}

func (f *fakeExchange) Disconnect(ctx context.Context, id string) error {
	return f.answer(ctx, "Disconnect", id)
}

func (f *fakeExchange) Close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}

func (f *fakeExchange) sent() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// zeroRand makes every jittered delay 0.
func zeroRand() float64 { return 0 }

// Answers as the soap package reports them.
func serverBusy(op string, backOff time.Duration) error {
	return &soap.Fault{Operation: op, Code: "ErrorServerBusy", ResponseCode: "ErrorServerBusy",
		String: "The server cannot service this request right now. Try again later.", BackOff: backOff, StatusCode: 500}
}

func responseError(op, code string) error {
	return &soap.ResponseError{Operation: op, Class: "Error", Code: code, MessageText: "scripted " + code}
}

func httpError(op string, status int, retryAfter time.Duration) error {
	return &soap.HTTPError{Operation: op, StatusCode: status, RetryAfter: retryAfter, ContentType: "text/html"}
}
