package command

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callctl/callctl/exchsim"
)

// probe fetches a probe: its status and body, or 0 while nothing listens.
func probe(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Nothing is ready before the first successful cycle, though the loop
// is live: a slow first cycle is no reason to restart.
func TestWatchProbesBeforeTheFirstCycle(t *testing.T) {
	srv := watchSim(t, exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}, Latency: 700 * time.Millisecond})
	dir := policyWithInventory(t, "c-1")
	addr := freePort(t)
	w := startWatch(t, srv, dir, "-watch=200ms", "-metrics-addr="+addr)
	var code int
	var body string
	w.waitFor("the metrics server", func() bool { code, body = probe(t, addr, "/readyz"); return code != 0 })
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "no cycle has succeeded yet") {
		t.Errorf("/readyz during the first cycle: %d %q", code, body)
	}
	if code, body := probe(t, addr, "/livez"); code != http.StatusOK {
		t.Errorf("/livez during the first cycle: %d %q", code, body)
	}
	if fams := scrape(t, addr); fams["callctl_watch_last_success_timestamp_seconds"] != nil {
		t.Error("callctl_watch_last_success_timestamp_seconds exported before any success")
	}
	w.waitFor("/readyz to pass", func() bool { code, _ := probe(t, addr, "/readyz"); return code == http.StatusOK })
	if !strings.Contains(w.out.String(), "Serving metrics at http://"+addr+"/metrics, probes at /livez and /readyz: loopback only, plain HTTP, no authentication") {
		t.Errorf("no startup line naming the metrics address:\n%s", w.out)
	}
}

// A refused login and an exchange given up as down keep /readyz (and
// /healthz) failing, the body and callctl_exchange_unhealthy saying why,
// while /livez passes: the loop runs. Fixing the password makes it
// ready.
func TestWatchProbesThroughRefusedLoginAndOutage(t *testing.T) {
	srv := watchSim(t, exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	dir := policyWithInventory(t, "c-1")
	main := filepath.Join(dir, "main.hcl")
	writeFile(t, main, strings.Replace(watchPolicy, `env("CALLCTL_PASSWORD")`, `"wrong"`, 1))
	addr := freePort(t)
	w := startWatch(t, srv, dir, "-watch=200ms", "-timeout=500ms", "-metrics-addr="+addr)
	w.waitCycles(3)
	unhealthy := func(reason string) float64 {
		return sum(scrape(t, addr), "callctl_exchange_unhealthy", map[string]string{"exchange": "corp", "reason": reason})
	}
	for _, path := range []string{"/readyz", "/healthz"} {
		code, body := probe(t, addr, path)
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "no cycle has succeeded yet") ||
			!strings.Contains(body, "\nexchange corp: login refused: authentication failed for exchange corp") {
			t.Errorf("%s with a refused login: %d %q", path, code, body)
		}
		t.Logf("%s with a refused login: %d\n%s", path, code, body)
	}
	if code, body := probe(t, addr, "/livez"); code != http.StatusOK {
		t.Errorf("/livez with a refused login: %d %q", code, body)
	}
	if v := unhealthy("login_refused"); v != 1 {
		t.Errorf("callctl_exchange_unhealthy{reason=login_refused} = %v, want 1", v)
	}
	if fams := scrape(t, addr); fams["callctl_watch_last_success_timestamp_seconds"] != nil {
		t.Error("last success exported though every cycle failed")
	}

	writeFile(t, main, watchPolicy)
	w.waitFor("/readyz to pass once the password is right", func() bool { code, _ := probe(t, addr, "/readyz"); return code == http.StatusOK })
	if c, _ := srv.Call("c-1"); c.State != "Disconnected" {
		t.Errorf("c-1 is %s", c.State)
	}
	if v := unhealthy("login_refused"); v != 0 {
		t.Errorf("callctl_exchange_unhealthy{reason=login_refused} = %v after recovery", v)
	}

	srv.Close()
	var body string
	w.waitFor("/readyz to fail with the exchange down", func() bool {
		var code int
		code, body = probe(t, addr, "/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "\nexchange corp: down: ")
	})
	t.Logf("/readyz with the exchange down:\n%s", body)
	if v := unhealthy("down"); v != 1 {
		t.Errorf("callctl_exchange_unhealthy{reason=down} = %v, want 1", v)
	}
	if code, body := probe(t, addr, "/livez"); code != http.StatusOK {
		t.Errorf("/livez with the exchange down: %d %q", code, body)
	}
}

// With -json the startup line is a log message after the version, so
// the stream stays JSON from its first line.
func TestWatchJSONSaysWhereMetricsAreServed(t *testing.T) {
	srv := watchSim(t, exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	dir := policyWithInventory(t, "c-1")
	addr := freePort(t)
	w := startWatch(t, srv, dir, "-watch=200ms", "-json", "-metrics-addr="+addr)
	w.waitFor("a cycle summary", func() bool { return strings.Contains(w.out.String(), `"type":"cycle_summary"`) })
	w.exit()
	var served bool
	for line := range strings.Lines(w.out.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if m["type"] == "log" && strings.HasPrefix(m["@message"].(string), "Serving metrics at http://"+addr+"/metrics") {
			served = true
		}
	}
	if !served {
		t.Errorf("no log message naming the metrics address:\n%s", w.out)
	}
}
