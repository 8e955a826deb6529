package exchange

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/callctl/callctl/throttle"
)

// DefaultRestCap is the longest a pool lets a given-up exchange rest
// between tries.
const DefaultRestCap = 15 * time.Minute

// rest is a pooled exchange's back-off between runs: after a run gives
// it up as down or overloaded, no later run sends it anything until next,
// and each give-up in a row doubles the wait, from the pool's RestBase to
// RestCap; a run in which it answered clears it.
type rest struct {
	wait    time.Duration // the current back-off, 0 while healthy
	next    time.Time     // no request before this
	verdict *throttle.ExchangeError
}

// after records the end of a run with the exchange's verdict.
func (r *rest) after(c *throttle.Caller, now time.Time, base, ceiling time.Duration, random func() float64) {
	xe := c.GivenUp()
	switch {
	case xe != nil && xe.Kind != throttle.KindAuth:
		if r.wait == 0 {
			r.wait = base
		} else {
			r.wait = min(2*r.wait, ceiling)
		}
		// Equal jitter: half the wait fixed, half random, so that
		// watchers given up together by one outage do not all come back
		// in the same second.
		r.next = now.Add(r.wait/2 + time.Duration(random()*float64(r.wait/2)))
		r.verdict = xe
	case c.Answered():
		*r = rest{}
	}
}

// resting returns the error a run's requests fail with while the
// exchange rests, or nil.
func (r *rest) resting(name string, now time.Time) *throttle.ExchangeError {
	if r.verdict == nil || !now.Before(r.next) {
		return nil
	}
	return &throttle.ExchangeError{Exchange: name, Kind: r.verdict.Kind, For: r.verdict.For, Window: r.verdict.Window,
		Count: r.verdict.Count, Busy: r.verdict.Busy, Err: &RestingError{Next: r.next, Err: r.verdict.Err}}
}

// RestingError is why a request to an exchange given up by an earlier run
// was not sent: the exchange rests until Next. Err is the last answer of
// that run.
type RestingError struct {
	Next time.Time
	Err  error
}

func (e *RestingError) Error() string {
	return fmt.Sprintf("%v; given up by an earlier cycle, next try at %s", e.Err, e.Next.Local().Format(time.TimeOnly))
}

func (e *RestingError) Unwrap() error { return e.Err }

// NotSent says the request never left callctl.
func (e *RestingError) NotSent() bool { return true }

// NextTry is when a resting exchange is next tried.
type NextTry struct {
	Exchange string
	In       time.Duration
}

func (n NextTry) String() string {
	return fmt.Sprintf("exchange %s: next try in %s", n.Exchange, short(n.In))
}

// short words d in whole seconds, without zero tails: "4m", "1m30s", "2s".
func short(d time.Duration) string {
	s := max(d.Round(time.Second), time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func defaultRandom() float64 { return rand.Float64() }
