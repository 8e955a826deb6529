package metrics

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Health answers /healthz: healthy while the last cycle finished no more
// than two intervals ago, whatever its result. A stuck watcher (a hung
// cycle, a deadlock) turns unhealthy; one that keeps failing to end calls
// is visible in callctl_watch_cycles_total and the last-success timestamp
// instead, since restarting it would not help.
type Health struct {
	interval time.Duration
	now      func() time.Time

	mu   sync.Mutex
	last time.Time // last cycle's end; the start before the first
}

// NewHealth starts the clock: the first cycle has two intervals to finish.
// now is time.Now when nil.
func NewHealth(interval time.Duration, now func() time.Time) *Health {
	if now == nil {
		now = time.Now
	}
	return &Health{interval: interval, now: now, last: now()}
}

// CycleFinished records the end of a cycle.
func (h *Health) CycleFinished(at time.Time) {
	h.mu.Lock()
	h.last = at
	h.mu.Unlock()
}

// Healthy reports whether the last cycle finished within two intervals.
func (h *Health) Healthy() (bool, time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	since := h.now().Sub(h.last)
	return since <= 2*h.interval, since
}

// ServeHTTP answers 200 when healthy, else 503, with a line saying why.
func (h *Health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ok, since := h.Healthy()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "unhealthy: no cycle finished for %s, more than two intervals of %s\n", since.Round(time.Millisecond), h.interval)
		return
	}
	fmt.Fprintf(w, "ok: last cycle finished %s ago\n", since.Round(time.Millisecond))
}
