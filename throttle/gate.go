package throttle

import (
	"sync"
	"time"
)

// gate holds every request to the exchange back until the time the server
// last named (BackOffMilliseconds, Retry-After). The server's advice is
// about the exchange, not the one request it answered: sending the other
// workers' requests meanwhile would only earn them the same answer and
// prolong the throttling.
type gate struct {
	mu    sync.Mutex
	until time.Time
	cause error // the answer that set until
}

// closeUntil shuts the gate until t, unless it is already shut longer.
func (g *gate) closeUntil(t time.Time, cause error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.After(g.until) {
		g.until, g.cause = t, cause
	}
}

// wait returns how long the gate stays shut from now, and why.
func (g *gate) wait(now time.Time) (time.Duration, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if d := g.until.Sub(now); d > 0 {
		return d, g.cause
	}
	return 0, nil
}
