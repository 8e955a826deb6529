// Package metrics holds what callctl exports to Prometheus while it runs
// continuously (apply -watch): cycles, calls and requests per exchange,
// retries, data sources. It uses a registry of its own, never the global
// one, so that two watchers in one process (tests) do not share counters
// and nothing a library registers globally leaks into callctl's output.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
)

// Cycle results, the values of callctl_watch_cycles_total's result label.
const (
	ResultOK      = "ok"      // every call ended up ended, or nothing to do
	ResultPartial = "partial" // some disconnects failed
	ResultError   = "error"   // the cycle could not run (bad policy, unreachable exchange, ...)
	// ResultInterrupted: the cycle was stopped by an interrupt before
	// it could finish; the watch then ends.
	ResultInterrupted = "interrupted"
)

// CycleResults lists every cycle result, the values of the result label.
func CycleResults() []string {
	return []string{ResultOK, ResultPartial, ResultError, ResultInterrupted}
}

// Metrics are callctl's Prometheus metrics. Their methods are safe for
// concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	cycles        *prometheus.CounterVec
	cycleDuration prometheus.Histogram
	// lastSuccess and lastCycle have no labels: vectors, so that each
	// is absent until its first value rather than a misleading 0 (an
	// alert on "time() - last success" would fire at every start).
	lastSuccess     *prometheus.GaugeVec
	lastCycle       *prometheus.GaugeVec
	calls           map[reconcile.Outcome]*prometheus.CounterVec
	lookups         *prometheus.CounterVec
	disconnects     *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	attempts        *prometheus.CounterVec
	retries         *prometheus.CounterVec
	throttled       *prometheus.CounterVec
	gateWaits       *prometheus.CounterVec
	backoff         *prometheus.CounterVec
	records         *prometheus.CounterVec
	protected       prometheus.Counter
	recordsFailed   prometheus.Counter
}

// New returns the metrics, registered on a fresh registry together with
// the Go runtime and process collectors.
func New() *Metrics {
	byExchange := []string{"exchange"}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		cycles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callctl_watch_cycles_total",
			Help: "Reconciliation cycles finished, by result: ok, partial (some disconnects failed), error (the cycle could not run) or interrupted.",
		}, []string{"result"}),
		cycleDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "callctl_watch_cycle_duration_seconds",
			Help:    "How long a reconciliation cycle took, from reading the policy to the last journal line.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 12),
		}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "callctl_watch_last_success_timestamp_seconds",
			Help: "When the last cycle that ended every call it had to (result ok) finished, as a Unix time; absent before the first.",
		}, nil),
		lastCycle: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "callctl_watch_last_cycle_timestamp_seconds",
			Help: "When the last cycle finished, whatever its result, as a Unix time; absent before the first.",
		}, nil),
		calls: map[reconcile.Outcome]*prometheus.CounterVec{},
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callctl_lookups_total",
			Help: "Call lookups, by exchange and outcome: the plan's action (disconnect, already_ended, not_found, left_alone) or error.",
		}, []string{"exchange", "outcome"}),
		disconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callctl_disconnects_total",
			Help: "Disconnects attempted, by exchange and outcome (disconnected, already_ended, not_found, failed, left_alone, not_started, sent_outcome_unknown).",
		}, []string{"exchange", "outcome"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "callctl_request_duration_seconds",
			Help:    "Duration of lookups and disconnects as callctl makes them, retries and back-off included, by exchange and operation (lookup, disconnect).",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 12),
		}, []string{"exchange", "operation"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callctl_request_attempts_total",
			Help: "SOAP requests sent to the exchange, repeats included.",
		}, byExchange),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callctl_request_retries_total",
			Help: "SOAP requests repeated after a transient failure.",
		}, byExchange),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callctl_throttled_responses_total",
			Help: "Answers saying the exchange is overloaded (server busy, too many connections, 503, 429).",
		}, byExchange),
		gateWaits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callctl_throttle_waits_total",
			Help: "Times a request waited out an exchange-wide back-off the server asked for.",
		}, byExchange),
		backoff: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callctl_throttle_wait_seconds_total",
			Help: "Time requests spent waiting before being sent (back-off), summed over requests.",
		}, byExchange),
		protected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "callctl_calls_protected_total",
			Help: "Calls a for_each selected that a protect block forbids ending: skipped, never looked up or disconnected.",
		}),
		recordsFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "callctl_calls_record_failed_total",
			Help: "Calls a for_each selected whose record failed to evaluate (a placed_at timecmp rejects, say): each failed alone, never looked up or disconnected.",
		}),
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callctl_data_source_records_read_total",
			Help: "Records read from data sources, by data source address.",
		}, []string{"data_source"}),
	}
	for _, o := range []struct {
		outcome reconcile.Outcome
		name    string
		help    string
	}{
		{reconcile.OutcomeDisconnected, "callctl_calls_disconnected_total", "Calls callctl disconnected, by exchange."},
		{reconcile.OutcomeAlreadyEnded, "callctl_calls_already_ended_total", "Declared calls found already over, at lookup or at disconnect, by exchange."},
		{reconcile.OutcomeNotFound, "callctl_calls_not_found_total", "Declared calls the exchange did not know, by exchange."},
		{reconcile.OutcomeFailed, "callctl_calls_failed_total", "Declared calls whose lookup or disconnect failed, by exchange."},
	} {
		m.calls[o.outcome] = prometheus.NewCounterVec(prometheus.CounterOpts{Name: o.name, Help: o.help}, byExchange)
		m.reg.MustRegister(m.calls[o.outcome])
	}
	m.reg.MustRegister(m.cycles, m.cycleDuration, m.lastSuccess, m.lastCycle, m.lookups, m.disconnects,
		m.requestDuration, m.attempts, m.retries, m.throttled, m.gateWaits, m.backoff, m.records, m.protected, m.recordsFailed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Every result shows from the start, at 0, so that rate() and alerts
	// work before the first failure.
	for _, r := range CycleResults() {
		m.cycles.WithLabelValues(r)
	}
	return m
}

// Registry is the registry the metrics are on, for tests and for serving.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// CycleDone records a finished cycle.
func (m *Metrics) CycleDone(result string, took time.Duration, at time.Time) {
	m.cycles.WithLabelValues(result).Inc()
	m.cycleDuration.Observe(took.Seconds())
	m.lastCycle.WithLabelValues().Set(float64(at.UnixNano()) / 1e9)
	// Only a cycle that ended every call is a success: a partial one
	// left some live.
	if result == ResultOK {
		m.lastSuccess.WithLabelValues().Set(float64(at.UnixNano()) / 1e9)
	}
}

// Call records one declared call's outcome in a cycle.
func (m *Metrics) Call(exchange string, o reconcile.Outcome) {
	if c, ok := m.calls[o]; ok {
		c.WithLabelValues(exchange).Inc()
	}
}

// Lookup records one lookup; outcome is the plan's action, or "error".
func (m *Metrics) Lookup(exchange, outcome string) {
	m.lookups.WithLabelValues(exchange, outcome).Inc()
}

// Disconnect records one disconnect's outcome.
func (m *Metrics) Disconnect(exchange string, o reconcile.Outcome) {
	m.disconnects.WithLabelValues(exchange, string(o)).Inc()
}

// Request records how long one lookup or disconnect took.
func (m *Metrics) Request(exchange, operation string, took time.Duration) {
	m.requestDuration.WithLabelValues(exchange, operation).Observe(took.Seconds())
}

// Retried adds what an exchange's retry layer did since the last call.
func (m *Metrics) Retried(exchange string, s throttle.Stats) {
	m.attempts.WithLabelValues(exchange).Add(float64(s.Attempts))
	m.retries.WithLabelValues(exchange).Add(float64(s.Retries))
	m.throttled.WithLabelValues(exchange).Add(float64(s.Throttled))
	m.gateWaits.WithLabelValues(exchange).Add(float64(s.GateWaits))
	m.backoff.WithLabelValues(exchange).Add(s.Backoff.Seconds())
}

// DataSourceRead records the records one data source read gave.
func (m *Metrics) DataSourceRead(address string, records int) {
	m.records.WithLabelValues(address).Add(float64(records))
}

// Protected records the calls a cycle skipped because a protect block
// forbids ending them.
func (m *Metrics) Protected(n int) { m.protected.Add(float64(n)) }

// RecordsFailed records the calls a cycle failed because their record
// could not be evaluated.
func (m *Metrics) RecordsFailed(n int) { m.recordsFailed.Add(float64(n)) }
