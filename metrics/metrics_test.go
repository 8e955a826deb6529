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
