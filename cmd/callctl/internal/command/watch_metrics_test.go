package command

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/callctl/callctl/exchsim"
)

// scrape fetches and parses /metrics with the Prometheus text parser.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// sum adds up a counter's (or a histogram's count's) series whose labels
// include want.
func sum(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
	var total float64
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			total += m.GetCounter().GetValue()
		case m.Gauge != nil:
			total += m.GetGauge().GetValue()
		case m.Histogram != nil:
			total += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return total
}

func healthz(t *testing.T, addr string) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// The counters served at /metrics agree with what the exchange saw. A
// busy exchange makes callctl retry, which shows in both.
func TestWatchMetricsMatchExchange(t *testing.T) {
	srv := watchSim(t, exchsim.Options{
		Calls: []exchsim.Call{
			{ID: "c-1", State: "Connected"}, {ID: "c-2", State: "Connected"},
			{ID: "c-3", State: "Alerted"}, {ID: "c-4", State: "Idle"},
		},
		Faults: exchsim.Faults{ServerBusyRate: 0.2, BackOff: time.Millisecond, Seed: 7},
	})
	dir := policyWithInventory(t, "c-1", "c-2", "c-3", "c-4", "c-404")
	addr := freePort(t)
	w := startWatch(t, srv, dir, "-watch=200ms", "-metrics-addr="+addr)
	w.waitCycles(4)
	if code := healthz(t, addr); code != http.StatusOK {
		t.Errorf("/healthz answered %d while cycles run, want 200", code)
	}

	// Cycles go on meanwhile: compare once a scrape and the exchange's
	// stats agree between two cycles, or report the last disagreement.
	var mismatch string
	w.waitFor("/metrics to match the exchange's stats", func() bool {
		cyclesBefore := len(w.cycles())
		fams := scrape(t, addr)
		st := srv.Stats()
		if len(w.cycles()) != cyclesBefore {
			return false // a cycle ended meanwhile
		}
		corp := map[string]string{"exchange": "corp"}
		cycles := sum(fams, "callctl_watch_cycles_total", nil)
		lookups := sum(fams, "callctl_lookups_total", corp)
		disconnects := sum(fams, "callctl_disconnects_total", corp)
		attempts := sum(fams, "callctl_request_attempts_total", corp)
		retries := sum(fams, "callctl_request_retries_total", corp)
		checks := []struct {
			what      string
			got, want float64
		}{
			{"requests sent (attempts)", attempts, float64(st.Requests["GetPhoneCallInformation"] + st.Requests["DisconnectPhoneCall"])},
			{"busy answers (throttled)", sum(fams, "callctl_throttled_responses_total", corp), float64(st.Faults[exchsim.FaultServerBusy])},
			{"lookups and disconnects, each once", lookups + disconnects, attempts - retries},
			{"timed lookups", sum(fams, "callctl_request_duration_seconds", map[string]string{"exchange": "corp", "operation": "lookup"}), lookups},
			{"timed disconnects", sum(fams, "callctl_request_duration_seconds", map[string]string{"exchange": "corp", "operation": "disconnect"}), disconnects},
			{"calls disconnected", sum(fams, "callctl_calls_disconnected_total", corp), 3},
			{"lookups per cycle", lookups, 5 * cycles},
			{"not found once per cycle", sum(fams, "callctl_calls_not_found_total", corp), cycles},
			{"records read", sum(fams, "callctl_data_source_records_read_total", map[string]string{"data_source": "data.inventory.calls"}), 5 * cycles},
			{"ok cycles", sum(fams, "callctl_watch_cycles_total", map[string]string{"result": "ok"}), cycles},
		}
		mismatch = ""
		for _, c := range checks {
			if c.got != c.want {
				mismatch += fmt.Sprintf("\n%s: /metrics says %v, want %v", c.what, c.got, c.want)
			}
		}
		if mismatch != "" {
			t.Logf("not yet:%s", mismatch)
			return false
		}
		if sum(fams, "callctl_watch_last_success_timestamp_seconds", nil) <= 0 {
			mismatch = "no last success timestamp"
			return false
		}
		return true
	})
	for _, c := range []string{"c-1", "c-2", "c-3"} {
		if call, _ := srv.Call(c); call.State != "Disconnected" {
			t.Errorf("%s is %s", c, call.State)
		}
	}
}
