package exchange

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/throttle"
)

// outage is an exchange that can be switched between hung (accepting
// requests and never answering) and healthy (exchsim behind a proxy) on
// one URL, as a real server restarted on the same port would be.
type outage struct {
	sim  *exchsim.Server
	srv  *httptest.Server
	hung atomic.Bool
}

func newOutage(t *testing.T) *outage {
	t.Helper()
	sim, err := exchsim.NewServer(exchsim.Options{Calls: []exchsim.Call{{ID: "c", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	o := &outage{sim: sim}
	done := make(chan struct{})
	target, _ := url.Parse(sim.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o.hung.Load() {
			select {
			case <-r.Context().Done():
			case <-done:
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(o.srv.Close)
	t.Cleanup(func() { close(done) }) // first: releases hung requests
	return o
}

// An exchange a run gave up rests: runs during its back-off send it
// nothing and fail its calls at once, saying when it is tried next; each
// give-up in a row doubles the back-off; a run in which it answers ends
// the rest, so the next give-up starts from the base again.
func TestPoolRestsGivenUpExchange(t *testing.T) {
	ex := newOutage(t)
	now := time.Unix(1e9, 0)
	pool := &Pool{clients: map[string]*pooled{}, RestBase: time.Minute, Now: func() time.Time { return now }, Random: func() float64 { return 1 }}
	defer pool.Close()
	p, calls := policy(&config.Exchange{Name: "corp", URL: ex.srv.URL + exchsim.EWSPath})
	opts := Options{Parallelism: 1, MaxAttempts: 1, Timeout: 20 * time.Millisecond}
	// run looks the call up once (as often as a hung exchange takes to
	// be given up) and returns the last error and the requests it sent.
	run := func() (error, int64) {
		t.Helper()
		cs, diags := pool.Connect(p, calls, opts)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		defer cs.Close()
		var err error
		for range throttle.DefaultDownAfter {
			if _, err = cs.Callers()["corp"].CallInfo(context.Background(), "c"); err == nil {
				break
			}
		}
		// Counted as sent by the client: the server may see a timed-out
		// request late, or never.
		return err, cs.Stats().Attempts
	}
	nextTry := func() time.Duration {
		t.Helper()
		n := pool.NextTries()
		if len(n) == 0 {
			return 0
		}
		if len(n) != 1 || n[0].Exchange != "corp" {
			t.Fatalf("next tries %v", n)
		}
		return n[0].In
	}

	ex.hung.Store(true)
	if err, sent := run(); sent != 3 || !givenUp(err, throttle.KindDown) {
		t.Fatalf("hung: %v after %d requests, want down after 3", err, sent)
	}
	if got := nextTry(); got != time.Minute {
		t.Errorf("after the first give-up: next try in %s, want 1m", got)
	}

	now = now.Add(30 * time.Second)
	err, sent := run()
	var re *RestingError
	if sent != 0 || !givenUp(err, throttle.KindDown) || !errors.As(err, &re) {
		t.Errorf("resting: %v after %d requests, want the down verdict at once, unsent", err, sent)
	}
	if got := nextTry(); got != 30*time.Second {
		t.Errorf("resting: next try in %s, want 30s", got)
	}

	now = now.Add(30 * time.Second)
	if err, sent := run(); sent != 3 || !givenUp(err, throttle.KindDown) {
		t.Errorf("rest over, still hung: %v after %d requests, want down after 3", err, sent)
	}
	if got := nextTry(); got != 2*time.Minute {
		t.Errorf("after the second give-up in a row: next try in %s, want 2m (doubled)", got)
	}

	ex.hung.Store(false)
	now = now.Add(2 * time.Minute)
	if err, sent := run(); err != nil || sent == 0 {
		t.Errorf("healthy again: %v after %d requests", err, sent)
	}
	if got := nextTry(); got != 0 {
		t.Errorf("after an answer: next try in %s, want none", got)
	}

	ex.hung.Store(true)
	run()
	if got := nextTry(); got != time.Minute {
		t.Errorf("given up again after an answer: next try in %s, want 1m (back to the base)", got)
	}
}

func givenUp(err error, kind string) bool {
	var xe *throttle.ExchangeError
	return errors.As(err, &xe) && xe.Kind == kind
}

// The back-off doubles up to the cap, and is jittered between half and
// all of it.
func TestRestDoublesToCapWithJitter(t *testing.T) {
	c := throttle.Wrap(nil, throttle.Policy{GivenUp: &throttle.ExchangeError{Kind: throttle.KindOverloaded}})
	now := time.Unix(1e9, 0)
	var r rest
	var got []time.Duration
	for range 6 {
		r.after(c, now, time.Minute, 15*time.Minute, func() float64 { return 0 })
		got = append(got, r.next.Sub(now))
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 7*time.Minute + 30*time.Second, 7*time.Minute + 30*time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("waits with the least jitter %v, want %v", got, want)
		}
	}
	for in, want := range map[time.Duration]string{
		4*time.Minute + 200*time.Millisecond: "exchange corp: next try in 4m",
		90 * time.Second:                     "exchange corp: next try in 1m30s",
		time.Hour:                            "exchange corp: next try in 1h",
		300 * time.Millisecond:               "exchange corp: next try in 1s",
	} {
		if s := (NextTry{Exchange: "corp", In: in}).String(); s != want {
			t.Errorf("NextTry{In: %s} reads %q, want %q", in, s, want)
		}
	}
}
