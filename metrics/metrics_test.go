package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
)

// Every metric follows Prometheus' naming conventions, as promtool check
// metrics checks them (counters end in _total, units are base units...).
func TestMetricsPassLint(t *testing.T) {
	m := New()
	// Every series exists once something has been counted.
	m.CycleDone(ResultOK, time.Second, time.Now())
	m.Call("corp", reconcile.OutcomeDisconnected)
	m.Call("corp", reconcile.OutcomeAlreadyEnded)
	m.Call("corp", reconcile.OutcomeNotFound)
	m.Call("corp", reconcile.OutcomeFailed)
	m.Lookup("corp", "disconnect")
	m.Disconnect("corp", reconcile.OutcomeDisconnected)
	m.Request("corp", "lookup", time.Millisecond)
	m.Retried("corp", throttle.Stats{Attempts: 3, Retries: 1, Throttled: 1, GateWaits: 1, Backoff: time.Second})
	m.DataSourceRead("data.inventory.calls", 5)
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
	if n, err := testutil.GatherAndCount(m.Registry(), "callctl_calls_not_found_total", "callctl_throttle_wait_seconds_total"); err != nil || n != 2 {
		t.Errorf("GatherAndCount = %d, %v; want 2 series", n, err)
	}
}

// Every cycle result shows from the start, at 0, so that rate() and the
// documented alerts work before the first such cycle.
func TestCycleResultsPreInitialised(t *testing.T) {
	m := New()
	// Counted before anything else touches the vector: looking a label
	// up would create its series.
	n, err := testutil.GatherAndCount(m.Registry(), "callctl_watch_cycles_total")
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("%d callctl_watch_cycles_total series before any cycle, want 4 (ok, partial, error, interrupted)", n)
	}
	for _, r := range []string{ResultOK, ResultPartial, ResultError, ResultInterrupted} {
		if v := testutil.ToFloat64(m.cycles.WithLabelValues(r)); v != 0 {
			t.Errorf("%s: %v before any cycle", r, v)
		}
	}
}
