package metrics

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Why an exchange is not healthy: the values of callctl_exchange_unhealthy's
// reason label, and ExchangeStatus.Reason.
const (
	ReasonLoginRefused = "login_refused" // the credentials were refused; nothing more is sent
	ReasonDown         = "down"          // no usable answer to request after request
	ReasonOverloaded   = "overloaded"    // it asked callctl to back off, again and again
	ReasonBackingOff   = "backing_off"   // callctl is waiting before it tries the exchange again
)

// Reasons lists every reason, in the order of their gravity.
var Reasons = []string{ReasonLoginRefused, ReasonDown, ReasonOverloaded, ReasonBackingOff}

// reasonWords says a reason in a probe's body.
var reasonWords = map[string]string{
	ReasonLoginRefused: "login refused",
	ReasonDown:         "down",
	ReasonOverloaded:   "overloaded",
	ReasonBackingOff:   "backing off",
}

// ExchangeStatus is what a cycle learnt about one exchange it used.
type ExchangeStatus struct {
	// Reason is "" for an exchange that answered, else one of Reasons.
	Reason string
	// Detail says why, in the words of the error that told.
	Detail string
}

// Health answers the probes, with Kubernetes' meanings:
//
//   - /livez: the loop is alive. A cycle started within two intervals plus
//     the longest a cycle is allowed to take. Only a stuck watcher (a hung
//     cycle, a deadlock) fails it, since only that is cured by a restart.
//   - /readyz (and /healthz, its alias): the watcher is doing its job. The
//     last successful cycle (result ok) ended within two intervals. Nothing
//     is ready before the first successful cycle. The body names the
//     exchanges the last cycle found refusing the login, down, overloaded
//     or backed off from, and why.
//
// It is also the collector of callctl_exchange_unhealthy, so that the
// metric and the probes never disagree.
type Health struct {
	interval, longestCycle time.Duration
	now                    func() time.Time
	desc                   *prometheus.Desc

	mu sync.Mutex
	// born stands for the first cycle's start until it starts.
	born time.Time
	// cycle and started are the last cycle started.
	cycle   int
	started time.Time
	// finished, result and ended are the last cycle finished.
	finished int
	result   string
	ended    time.Time
	// succeeded is when the last ok cycle ended, zero before the first.
	succeeded time.Time
	exchanges map[string]ExchangeStatus
}

// NewHealth starts the clock. interval is the watch's; longestCycle is
// the longest a cycle may take (its -deadline). now is time.Now when nil.
func NewHealth(interval, longestCycle time.Duration, now func() time.Time) *Health {
	if now == nil {
		now = time.Now
	}
	return &Health{
		interval: interval, longestCycle: longestCycle, now: now, born: now(),
		desc: prometheus.NewDesc("callctl_exchange_unhealthy",
			"1 when the last cycle that used the exchange found it unhealthy for the reason given (login_refused, down, overloaded, backing_off), else 0.",
			[]string{"exchange", "reason"}, nil),
	}
}

// CycleStarted records that cycle n started.
func (h *Health) CycleStarted(n int, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cycle, h.started = n, at
}

// CycleFinished records how cycle n ended (one of the Result
// constants) and what it learnt about each exchange it used. Only
// ResultOK counts as a success: a partial cycle left calls live.
func (h *Health) CycleFinished(n int, result string, at time.Time, exchanges map[string]ExchangeStatus) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.finished, h.result, h.ended = n, result, at
	if result == ResultOK {
		h.succeeded = at
	}
	h.exchanges = exchanges
}

// liveWindow is how long after a cycle's start the next must have
// started: a cycle starts every interval, or when the previous one ends
// if it took longer, and no cycle takes longer than longestCycle.
func (h *Health) liveWindow() time.Duration { return 2*h.interval + h.longestCycle }

// Live reports whether the loop is alive, and says why in a line.
func (h *Health) Live() (bool, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	last := h.started
	if h.cycle == 0 {
		last = h.born
	}
	since := h.now().Sub(last)
	if since > h.liveWindow() {
		what := fmt.Sprintf("cycle %d started", h.cycle)
		if h.cycle == 0 {
			what = "callctl started and no cycle has begun"
		}
		return false, fmt.Sprintf("stuck: %s %s ago, more than two intervals of %s plus the longest allowed cycle, %s", what, round(since), h.interval, h.longestCycle)
	}
	if h.cycle == 0 {
		return true, fmt.Sprintf("ok: starting (%s ago)", round(since))
	}
	return true, fmt.Sprintf("ok: cycle %d started %s ago", h.cycle, round(since))
}

// Ready reports whether the last success is recent, and says why in a
// line followed by a line per unhealthy exchange.
func (h *Health) Ready() (bool, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	var b strings.Builder
	ready := !h.succeeded.IsZero() && now.Sub(h.succeeded) <= 2*h.interval
	switch {
	case ready:
		fmt.Fprintf(&b, "ok: last successful cycle ended %s ago", round(now.Sub(h.succeeded)))
	case h.succeeded.IsZero():
		b.WriteString("not ready: no cycle has succeeded yet")
	default:
		fmt.Fprintf(&b, "not ready: the last successful cycle ended %s ago, more than two intervals of %s", round(now.Sub(h.succeeded)), h.interval)
	}
	switch {
	case h.cycle == 0:
		b.WriteString("; the first cycle has not started")
	case h.finished == 0:
		fmt.Fprintf(&b, "; cycle %d is running", h.cycle)
	case h.result != ResultOK:
		fmt.Fprintf(&b, "; cycle %d ended %s %s ago", h.finished, h.result, round(now.Sub(h.ended)))
	}
	b.WriteString("\n")
	for _, name := range h.unhealthy() {
		s := h.exchanges[name]
		fmt.Fprintf(&b, "exchange %s: %s: %s\n", name, reasonWords[s.Reason], oneLine(s.Detail))
	}
	return ready, b.String()
}

// unhealthy names the exchanges with a reason, sorted; h.mu is held.
func (h *Health) unhealthy() []string {
	var names []string
	for name, s := range h.exchanges {
		if s.Reason != "" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// LivezHandler answers /livez: 200 while live, else 503.
func (h *Health) LivezHandler() http.Handler { return probe(h.Live) }

// ReadyzHandler answers /readyz and /healthz: 200 while ready, else 503.
func (h *Health) ReadyzHandler() http.Handler { return probe(h.Ready) }

func probe(check func() (bool, string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, body := check()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprintln(w, strings.TrimSuffix(body, "\n"))
	})
}

// Describe implements prometheus.Collector.
func (h *Health) Describe(ch chan<- *prometheus.Desc) { ch <- h.desc }

// Collect implements prometheus.Collector: every reason of every exchange
// the last cycle used, 1 for the exchange's reason and 0 for the others,
// so that a rule can match on the reason without absent().
func (h *Health) Collect(ch chan<- prometheus.Metric) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, s := range h.exchanges {
		for _, r := range Reasons {
			v := 0.0
			if s.Reason == r {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(h.desc, prometheus.GaugeValue, v, name, r)
		}
	}
}

// round keeps a probe's durations readable.
func round(d time.Duration) time.Duration {
	if d > time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// oneLine keeps an error on its line of the body: it may quote a
// server, whose line breaks would read as lines of the probe's own.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
