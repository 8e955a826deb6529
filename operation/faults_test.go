package operation

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
)

// statsView is a recorder that keeps the retry totals it is shown.
type statsView struct {
	recorder
	stats throttle.Stats
}

func (v *statsView) Retried(s throttle.Stats) { v.stats = s }

// TestApplyUnderFaults holds "throttling slows callctl down, it does not
// stop it": 300 calls, with 20% of the requests getting each fault kind,
// end in one apply with nothing failed, on both dialects, and the run
// reports its retry and back-off totals. Back-offs and timeouts are short
// so that the test is quick; the README's figures at 2 s back-offs are
// measured with the real binaries (see the report in the README).
func TestApplyUnderFaults(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("300 calls per fault kind: run without -short and -race")
	}
	const n = 300
	faults := map[string]exchsim.Faults{
		"busy, advised back-off": {ServerBusyRate: 0.2, BackOff: 10 * time.Millisecond},
		"503":                    {UnavailableRate: 0.2},
		"too many connections":   {ConnectionCountRate: 0.2},
		"reset":                  {ResetRate: 0.2},
		"HTML 500":               {HTMLErrorRate: 0.2},
		"hang, short timeout":    {HangRate: 0.2},
		"every kind, 3% each":    {ServerBusyRate: 0.03, BackOff: 10 * time.Millisecond, UnavailableRate: 0.03, ConnectionCountRate: 0.03, ResetRate: 0.03, HTMLErrorRate: 0.03, HangRate: 0.03},
	}
	for _, dialect := range []string{"ews", "um2007"} {
		for name, f := range faults {
			t.Run(dialect+"/"+name, func(t *testing.T) {
				t.Parallel()
				var calls []exchsim.Call
				var ids []string
				for i := range n {
					id := fmt.Sprintf("c-%03d", i)
					calls = append(calls, exchsim.Call{ID: id, State: "Connected"})
					ids = append(ids, fmt.Sprintf("%q", id))
				}
				f.Seed = 7
				srv, err := exchsim.NewServer(exchsim.Options{Calls: calls, Faults: f})
				if err != nil {
					t.Fatal(err)
				}
				defer srv.Close()
				url := srv.EWSURL()
				if dialect == "um2007" {
					url = srv.UM2007URL()
				}
				dir := t.TempDir()
				policy := fmt.Sprintf(`
exchange "corp" {
  url     = %q
  dialect = %q
}

end_call "stuck" {
  for_each = toset([%s])
  exchange = exchange.corp
  call_id  = each.value
}
`, url, dialect, strings.Join(ids, ", "))
				if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(policy), 0o644); err != nil {
					t.Fatal(err)
				}
				req := &ApplyRequest{Request: Request{
					Dir: dir, MaxDisconnects: -1, Version: "0.0.0-test",
					Connect: exchange.Options{Parallelism: 10, Timeout: 250 * time.Millisecond},
				}, AutoApprove: true}
				view := &statsView{}
				res := Apply(context.Background(), context.Background(), req, view)
				if res.Status != StatusOK || res.Applied == nil {
					t.Fatalf("status %d, diagnostics %q", res.Status, view.summaries())
				}
				disconnected := 0
				for _, r := range res.Applied.Results {
					if r.Outcome == reconcile.OutcomeDisconnected {
						disconnected++
					}
				}
				left := 0
				for _, c := range srv.Calls() {
					if c.State != "Disconnected" {
						left++
					}
				}
				if disconnected != n || left != 0 {
					t.Errorf("%d disconnected, %d calls still up on the server; want all %d ended", disconnected, left, n)
				}
				if view.stats.Retries == 0 {
					t.Errorf("no retries reported (%+v) under 20%% faults", view.stats)
				}
				t.Logf("%d calls ended; %d requests, %d retries, %d throttled, %s waiting", n, view.stats.Attempts, view.stats.Retries, view.stats.Throttled, view.stats.Backoff.Round(time.Millisecond))
			})
		}
	}
}
