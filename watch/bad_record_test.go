package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/operation"
)

// One bad record fails one call: the cycle ends the good record's call,
// counts the bad one failed and is partial; the next cycle, with nothing
// else to end, is an error while the record stays bad.
func TestWatchBadRecordIsPartial(t *testing.T) {
	sim, err := exchsim.NewServer(exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}, {ID: "c-2", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dir := t.TempDir()
	policy := fmt.Sprintf(`
exchange "corp" {
  url = "%s"
}
data "inventory" "x" {
  file = "calls.jsonl"
}
end_call "stale" {
  for_each = {
    for r in data.inventory.x.records : r.call_id => r
    if timecmp(r.placed_at, "2026-01-01T00:00:00Z") < 0
  }
  exchange = exchange.corp
  call_id  = each.key
}
`, sim.EWSURL())
	records := `{"call_id":"c-1","placed_at":"2025-01-01T00:00:00Z"}
{"call_id":"c-2","placed_at":null}
`
	for name, data := range map[string]string{"main.hcl": policy, "calls.jsonl": records} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	view := summaries{c: make(chan *Summary, 100)}
	stop, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := Options{
		Interval: 20 * time.Millisecond,
		Metrics:  metrics.New(),
		Request: operation.ApplyRequest{Request: operation.Request{
			Dir: dir, MaxDisconnects: -1, Version: "0.0.0-test",
			Connect: exchange.Options{Parallelism: 1, MaxAttempts: 1, Timeout: time.Second},
		}},
	}
	ended := make(chan operation.Status, 1)
	go func() { ended <- Run(stop, context.Background(), opts, view) }()
	next := func() *Summary {
		t.Helper()
		select {
		case s := <-view.c:
			return s
		case <-time.After(time.Minute):
			t.Fatal("no cycle for a minute")
		}
		return nil
	}
	if s := next(); s.Disconnected != 1 || s.Failed != 1 || s.Result != metrics.ResultPartial {
		t.Errorf("first cycle %+v, want 1 disconnected, 1 failed, partial", s)
	}
	if s := next(); s.Disconnected != 0 || s.Failed != 1 || s.Result != metrics.ResultError {
		t.Errorf("second cycle %+v, want 0 disconnected, 1 failed, error", s)
	}
	cancel()
	<-ended
	// Cycles may have run after the second, before the cancel: each
	// counts the record once.
	mfs, err := opts.Metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := -1.0
	for _, mf := range mfs {
		if mf.GetName() == "callctl_calls_record_failed_total" {
			n = mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	if n < 2 {
		t.Errorf("callctl_calls_record_failed_total %v, want at least 2", n)
	}
}
