package metrics

import (
	"net/http"
	"net/http/httptest"
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

func TestHealth(t *testing.T) {
	start := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		lastCycle time.Duration // after start; negative: no cycle yet
		now       time.Duration // after start
		want      int
	}{
		"starting":                        {lastCycle: -1, now: 30 * time.Second, want: http.StatusOK},
		"first cycle overdue":             {lastCycle: -1, now: 121 * time.Second, want: http.StatusServiceUnavailable},
		"cycle within two intervals":      {lastCycle: 60 * time.Second, now: 170 * time.Second, want: http.StatusOK},
		"exactly two intervals":           {lastCycle: 60 * time.Second, now: 180 * time.Second, want: http.StatusOK},
		"no cycle for over two intervals": {lastCycle: 60 * time.Second, now: 181 * time.Second, want: http.StatusServiceUnavailable},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			now := start
			h := NewHealth(time.Minute, func() time.Time { return now })
			if tc.lastCycle >= 0 {
				h.CycleFinished(start.Add(tc.lastCycle))
			}
			now = start.Add(tc.now)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
			if rec.Code != tc.want {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}
}
