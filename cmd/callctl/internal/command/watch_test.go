package command

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callctl/callctl/cmd/callctl/internal/views"
	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/internal/testbuf"
	"github.com/callctl/callctl/lock"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/reconcile"
)

// watchPolicy is a standing policy: end every call the inventory file
// calls.jsonl lists, on an NTLM exchange.
const watchPolicy = `
variable "url" {
  type = string
}

exchange "corp" {
  url = var.url
  auth "ntlm" {
    username = "CORP\\alice"
    password = env("CALLCTL_PASSWORD")
  }
}

data "inventory" "calls" {
  file = "calls.jsonl"
}

end_call "listed" {
  for_each = { for r in data.inventory.calls.records : r.call_id => r }
  exchange = exchange.corp
  call_id  = each.value.call_id
  reason   = "listed in the inventory"
}
`

// watchSim starts an NTLM simulator holding calls.
func watchSim(t *testing.T, opts exchsim.Options) *exchsim.Server {
	t.Helper()
	opts.Auth, opts.User, opts.Password = exchsim.AuthNTLM, `CORP\alice`, "secret"
	srv, err := exchsim.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// writeFile replaces a file in one step, so that a cycle reads either the
// old or the new content.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// inventory writes calls.jsonl listing ids.
func inventory(t *testing.T, dir string, ids ...string) {
	t.Helper()
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "{\"call_id\":%q}\n", id)
	}
	writeFile(t, filepath.Join(dir, "calls.jsonl"), b.String())
}

// watcher is a running "callctl apply -watch".
type watcher struct {
	t          *testing.T
	dir        string
	out        *testbuf.Buffer
	stop, hard context.CancelFunc
	done       chan int
}

func startWatch(t *testing.T, srv *exchsim.Server, dir string, args ...string) *watcher {
	t.Helper()
	stop, cancelStop := context.WithCancel(context.Background())
	hard, cancelHard := context.WithCancel(context.Background())
	w := &watcher{t: t, dir: dir, out: &testbuf.Buffer{}, stop: cancelStop, hard: cancelHard, done: make(chan int, 1)}
	s := &views.Streams{Out: w.out, Err: w.out, Environ: []string{"CALLCTL_PASSWORD=secret"}}
	argv := append([]string{"-chdir=" + dir, "apply", "-auto-approve", "-var", "url=" + srv.EWSURL()}, args...)
	go func() { w.done <- Run(Interrupts{Stop: stop, Hard: hard}, argv, s) }()
	t.Cleanup(func() {
		cancelStop()
		cancelHard()
		<-w.done
	})
	return w
}

var cycleLine = regexp.MustCompile(`(?m)^\S+ cycle (\d+): (\d+) looked up, (\d+) disconnected, (\d+) not found, (\d+) failed \(.*\)(.*)$`)

// cycles returns the summary lines so far: [cycle, looked up,
// disconnected, not found, failed] and the rest of the line.
func (w *watcher) cycles() [][]string { return cycleLine.FindAllStringSubmatch(w.out.String(), -1) }

// waitFor polls cond until it holds, failing after a generous timeout.
func (w *watcher) waitFor(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("gave up waiting for %s; output:\n%s", what, w.out)
		}
		select {
		case code := <-w.done:
			w.done <- code
			if !cond() {
				w.t.Fatalf("watch exited %d while waiting for %s; output:\n%s", code, what, w.out)
			}
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// waitCycles waits until n cycles have been summarised.
func (w *watcher) waitCycles(n int) {
	w.t.Helper()
	w.waitFor(fmt.Sprintf("%d cycles", n), func() bool { return len(w.cycles()) >= n })
}

// exit interrupts once and returns the exit code.
func (w *watcher) exit() int {
	w.stop()
	code := <-w.done
	w.done <- code
	return code
}

func postCalls(t *testing.T, srv *exchsim.Server, body string) {
	t.Helper()
	resp, err := http.Post(srv.URL+"/_exchsim/calls", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /_exchsim/calls: %s", resp.Status)
	}
}

func policyWithInventory(t *testing.T, ids ...string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.hcl"), watchPolicy)
	inventory(t, dir, ids...)
	return dir
}

// A call added while watching (to the exchange and the inventory) is
// ended by the first cycle that starts after it was added, and cycles
// reuse the connections, and their NTLM logins, of the first.
func TestWatchEndsNewCallsOnWarmConnections(t *testing.T) {
	srv := watchSim(t, exchsim.Options{
		Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}, {ID: "c-2", State: "Idle"}, {ID: "c-3", State: "Connected"}},
		// Requests overlap, so each cycle uses both lanes.
		Latency: 5 * time.Millisecond,
	})
	dir := policyWithInventory(t, "c-1", "c-2", "c-3", "c-404")
	w := startWatch(t, srv, dir, "-watch=200ms", "-parallelism=2")

	w.waitCycles(1)
	first := srv.Stats()
	w.waitCycles(6)
	sixth := srv.Stats()
	if sixth.Connections != first.Connections || sixth.NTLMHandshakes != first.NTLMHandshakes {
		t.Errorf("after 1 cycle: %d connections, %d handshakes; after 6: %d, %d. Cycles must reuse connections.",
			first.Connections, first.NTLMHandshakes, sixth.Connections, sixth.NTLMHandshakes)
	}
	if first.NTLMHandshakes != first.Connections {
		t.Errorf("%d handshakes on %d connections", first.NTLMHandshakes, first.Connections)
	}
	if got := w.cycles()[0]; got[2] != "4" || got[3] != "2" || got[4] != "1" || got[5] != "0" {
		t.Errorf("first cycle: %q, want 4 looked up, 2 disconnected, 1 not found, 0 failed", got[0])
	}

	// The exchange learns of the call first, so that any cycle that
	// reads it from the inventory finds it live.
	postCalls(t, srv, `{"calls":[{"id":"c-5","state":"Connected"}]}`)
	inventory(t, dir, "c-1", "c-2", "c-3", "c-404", "c-5")
	added := len(w.cycles())
	w.waitFor("c-5 to be disconnected", func() bool { c, _ := srv.Call("c-5"); return c.State == "Disconnected" })
	w.waitCycles(added + 2)
	var endedIn int
	for _, c := range w.cycles()[added:] {
		if c[3] == "1" {
			endedIn, _ = strconv.Atoi(c[1])
			break
		}
	}
	// Cycle added+1 may have read the inventory before the call was
	// added; the one after must have ended it.
	if endedIn == 0 || endedIn > added+2 {
		t.Errorf("c-5, added after cycle %d, was ended in cycle %d, want %d or %d:\n%s", added, endedIn, added+1, added+2, w.out)
	}
	if code := w.exit(); code != ExitOK {
		t.Errorf("exit code %d after an interrupt between cycles, want 0", code)
	}
}

// A policy edited into an invalid state fails its cycles, with the error
// shown once, and nothing is applied from the last good version; fixed,
// the next cycle applies it.
func TestWatchInvalidPolicyIsReportedOnceAndRecovered(t *testing.T) {
	srv := watchSim(t, exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	dir := policyWithInventory(t, "c-1")
	w := startWatch(t, srv, dir, "-watch=200ms")
	w.waitCycles(1)

	n := len(w.cycles())
	writeFile(t, filepath.Join(dir, "main.hcl"), watchPolicy+"\nend_call \"broken\" {\n  exchange = exchange.nowhere\n  call_id = \"x\"\n}\n")
	failedSince := func(from int) int {
		failed := 0
		for _, c := range w.cycles()[from:] {
			if strings.Contains(c[6], "cycle failed") {
				failed++
			}
		}
		return failed
	}
	// A cycle already under way when main.hcl was replaced may have
	// read the good policy; once one has failed, every later cycle
	// reads the broken one. Only then is c-2 added, so that it is added
	// while the policy is broken: the last good policy would end it.
	w.waitFor("a failed cycle", func() bool { return failedSince(n) >= 1 })
	postCalls(t, srv, `{"calls":[{"id":"c-2","state":"Connected"}]}`)
	inventory(t, dir, "c-1", "c-2")
	// Two more cycles: the second started after c-2 was in the inventory.
	m := len(w.cycles())
	w.waitFor("three failed cycles, two since c-2 was added", func() bool {
		return failedSince(n) >= 3 && failedSince(m) >= 2
	})
	if c, _ := srv.Call("c-2"); c.State != "Connected" {
		t.Errorf("c-2 is %s while the policy was invalid; the last good policy must not be applied", c.State)
	}
	if got := strings.Count(w.out.String(), "exchange.nowhere"); got != 1 {
		t.Errorf("the error quoting exchange.nowhere was shown %d times, want once:\n%s", got, w.out)
	}
	// The first failed cycle shows the error; later ones say it is the
	// same one.
	var failed []string
	for _, c := range w.cycles()[n:] {
		if c[6] != "" {
			failed = append(failed, c[6])
		}
	}
	want := []string{"; cycle failed with 1 error", "; cycle failed with 1 error, as before", "; cycle failed with 1 error, as before"}
	if d := cmp.Diff(want, failed[:3]); d != "" {
		t.Errorf("failed cycles' summaries (-want +got):\n%s", d)
	}

	writeFile(t, filepath.Join(dir, "main.hcl"), watchPolicy)
	w.waitFor("c-2 to be disconnected", func() bool { c, _ := srv.Call("c-2"); return c.State == "Disconnected" })
	if code := w.exit(); code != ExitOK {
		t.Errorf("exit code %d, want 0", code)
	}
}

// An interrupt while disconnects are in flight lets them finish and be
// journalled: every call the exchange ended has its outcome in the
// journal, none is left "sent, outcome unknown".
func TestWatchInterruptMidCycleLosesNoJournalLine(t *testing.T) {
	var calls []exchsim.Call
	var ids []string
	for i := range 8 {
		id := fmt.Sprintf("c-%d", i)
		calls = append(calls, exchsim.Call{ID: id, State: "Connected"})
		ids = append(ids, id)
	}
	srv := watchSim(t, exchsim.Options{Calls: calls, Latency: 150 * time.Millisecond})
	dir := policyWithInventory(t, ids...)
	w := startWatch(t, srv, dir, "-watch=1m", "-parallelism=4")
	w.waitFor("disconnects in flight", func() bool { return srv.Stats().Requests["DisconnectPhoneCall"] > 0 })
	code := w.exit()
	// As apply: some calls ended, the others were not started.
	if code != ExitPartial {
		t.Errorf("exit code %d, want %d (some calls not started):\n%s", code, ExitPartial, w.out)
	}
	ended := map[string]bool{}
	for _, c := range srv.Calls() {
		if c.State == "Disconnected" {
			ended[c.ID] = true
		}
	}
	if len(ended) == 0 || len(ended) == len(ids) {
		t.Fatalf("%d of %d calls ended; the interrupt should have come mid-cycle", len(ended), len(ids))
	}
	statuses, diags := operation.ReadJournal(operation.JournalPath(dir, ""))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	journalled := map[string]bool{}
	for _, s := range statuses {
		if s.Unknown() {
			t.Errorf("%s left with an unknown outcome", s.CallID)
		}
		if s.Status == string(reconcile.OutcomeDisconnected) {
			journalled[s.CallID] = true
		}
	}
	for id := range ended {
		if !journalled[id] {
			t.Errorf("%s was ended but the journal does not say so", id)
		}
	}
	if len(journalled) != len(ended) {
		t.Errorf("journal has %d disconnected, exchange %d", len(journalled), len(ended))
	}
}

// freePort returns a loopback address nobody listens on just now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Connections the exchange closed between cycles are opened, and logged
// into, again; no cycle fails for it.
func TestWatchReconnectsWhenTheServerClosedConnections(t *testing.T) {
	srv := watchSim(t, exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	dir := policyWithInventory(t, "c-1")
	w := startWatch(t, srv, dir, "-watch=200ms", "-parallelism=1")
	w.waitCycles(1)
	before := srv.Stats()
	for i := range 3 {
		srv.CloseIdleConnections()
		w.waitCycles(2 + i)
	}
	postCalls(t, srv, `{"calls":[{"id":"c-2","state":"Connected"}]}`)
	inventory(t, dir, "c-1", "c-2")
	w.waitFor("c-2 to be disconnected", func() bool { c, _ := srv.Call("c-2"); return c.State == "Disconnected" })
	for _, c := range w.cycles() {
		if c[5] != "0" || c[6] != "" {
			t.Errorf("cycle %s: %s", c[1], c[0])
		}
	}
	after := srv.Stats()
	if after.Connections <= before.Connections {
		t.Errorf("no new connection after the server closed them (%d before, %d after)", before.Connections, after.Connections)
	}
	if after.NTLMHandshakes != after.Connections-1 { // the admin POST needs no login
		t.Errorf("%d handshakes on %d connections (one of them admin)", after.NTLMHandshakes, after.Connections)
	}
}

// An exchange that cannot be reached fails its cycles, with the error
// shown once; once it is up, the next cycle ends the calls.
func TestWatchRetriesAnUnreachableExchange(t *testing.T) {
	addr := freePort(t)
	srv, err := exchsim.NewUnstartedServer(exchsim.Options{
		Listen: addr,
		Calls:  []exchsim.Call{{ID: "c-1", State: "Connected"}},
		Auth:   exchsim.AuthNTLM, User: `CORP\alice`, Password: "secret",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	dir := policyWithInventory(t, "c-1")
	w := startWatch(t, &exchsim.Server{URL: "http://" + addr}, dir, "-watch=200ms", "-timeout=1s")
	w.waitCycles(3)
	for _, c := range w.cycles()[:3] {
		if c[5] != "1" || !strings.Contains(c[6], "cycle failed") {
			t.Errorf("cycle %s against a closed port: %s", c[1], c[0])
		}
	}
	if n := strings.Count(w.out.String(), "Error: "); n != 1 {
		t.Errorf("%d errors shown for three failed cycles, want 1:\n%s", n, w.out)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	w.waitFor("c-1 to be disconnected", func() bool { c, _ := srv.Call("c-1"); return c.State == "Disconnected" })
	if code := w.exit(); code != ExitOK {
		t.Errorf("exit code %d, want 0", code)
	}
}

// With -json every cycle streams the usual apply messages, then a
// cycle_summary.
func TestWatchJSON(t *testing.T) {
	srv := watchSim(t, exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	dir := policyWithInventory(t, "c-1", "c-404")
	w := startWatch(t, srv, dir, "-watch=200ms", "-json")
	w.waitFor("two cycle summaries", func() bool { return strings.Count(w.out.String(), `"type":"cycle_summary"`) >= 2 })
	w.exit()
	var types []string
	var summaries []map[string]any
	for line := range strings.Lines(w.out.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		types = append(types, m["type"].(string))
		if m["type"] == "version" && m["ui"] != viewsjson.UIVersion {
			t.Errorf("ui version %v, want %s", m["ui"], viewsjson.UIVersion)
		}
		if m["type"] == "cycle_summary" {
			c := m["cycle"].(map[string]any)
			delete(c, "started")
			delete(c, "duration_seconds")
			summaries = append(summaries, c)
		}
	}
	want := []map[string]any{
		{"cycle": 1.0, "result": "ok", "looked_up": 2.0, "disconnected": 1.0, "already_ended": 0.0, "not_found": 1.0, "failed": 0.0, "errors": 0.0, "repeated_diagnostics": 0.0},
		{"cycle": 2.0, "result": "ok", "looked_up": 2.0, "disconnected": 0.0, "already_ended": 1.0, "not_found": 1.0, "failed": 0.0, "errors": 0.0, "repeated_diagnostics": 0.0},
	}
	if d := cmp.Diff(want, summaries[:2]); d != "" {
		t.Errorf("cycle summaries (-want +got):\n%s", d)
	}
	for _, typ := range []string{"version", "data_source_read", "planned_disconnect", "disconnect_complete", "apply_summary", "cycle_summary"} {
		if !slices.Contains(types, typ) {
			t.Errorf("no %s message in %v", typ, types)
		}
	}
	if types[0] != "version" || slices.Index(types[1:], "version") >= 0 {
		t.Errorf("the version message must come first, once: %v", types)
	}
}

// The lock is held per cycle, not for the whole watch: an apply run by
// hand gets it between cycles, and the watch goes on afterwards.
func TestWatchLetsAOneOffApplyIn(t *testing.T) {
	srv := watchSim(t, exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}, Latency: 20 * time.Millisecond})
	dir := policyWithInventory(t, "c-1")
	w := startWatch(t, srv, dir, "-watch=100ms")
	w.waitCycles(1)
	var out testbuf.Buffer
	s := &views.Streams{Out: &out, Err: &out, Environ: []string{"CALLCTL_PASSWORD=secret"}}
	for range 3 {
		if code := Run(Interrupts{}, []string{"-chdir=" + dir, "apply", "-auto-approve", "-lock-timeout=30s", "-var", "url=" + srv.EWSURL()}, s); code != ExitOK {
			t.Fatalf("a one-off apply during the watch exited %d:\n%s", code, &out)
		}
	}
	n := len(w.cycles())
	w.waitCycles(n + 2)
	if code := w.exit(); code != ExitOK {
		t.Errorf("exit code %d, want 0", code)
	}
}

// A data source command that fails fails its cycles, with its error shown
// once, and the watch picks up again once it works.
func TestWatchRetriesAFailingDataSourceCommand(t *testing.T) {
	if _, err := exec.LookPath("cat"); err != nil {
		t.Skip("needs cat")
	}
	srv := watchSim(t, exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.hcl"), strings.Replace(watchPolicy, `file = "calls.jsonl"`, `command = ["cat", "export.jsonl"]`+"\n  format = \"jsonl\"", 1))
	w := startWatch(t, srv, dir, "-watch=200ms")
	w.waitFor("three failed cycles", func() bool {
		failed := 0
		for _, c := range w.cycles() {
			if strings.Contains(c[6], "cycle failed") {
				failed++
			}
		}
		return failed >= 3
	})
	if n := strings.Count(w.out.String(), "Error: "); n != 1 {
		t.Errorf("%d errors shown for three failed cycles, want 1:\n%s", n, w.out)
	}
	writeFile(t, filepath.Join(dir, "export.jsonl"), "{\"call_id\":\"c-1\"}\n")
	w.waitFor("c-1 to be disconnected", func() bool { c, _ := srv.Call("c-1"); return c.State == "Disconnected" })
	if code := w.exit(); code != ExitOK {
		t.Errorf("exit code %d, want 0", code)
	}
}

// An interrupt during a cycle in which a disconnect failed ends the watch
// with exit code 4 once that disconnect has answered, and the journal
// records both outcomes.
func TestWatchInterruptAfterAFailedDisconnectExits4(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}, {ID: "c-2", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	// In front of the exchange: c-2's disconnect is held until the test
	// has interrupted, then refused (403 is not retried).
	reached, release := make(chan struct{}), make(chan struct{})
	target, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(r.Header.Get("SOAPAction"), "DisconnectPhoneCall") && strings.Contains(string(body), "c-2") {
			close(reached)
			<-release
			http.Error(rw, "forbidden", http.StatusForbidden)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(rw, r)
	}))
	t.Cleanup(front.Close)

	dir := policyWithInventory(t, "c-1", "c-2")
	writeFile(t, filepath.Join(dir, "main.hcl"), strings.Replace(watchPolicy, "auth \"ntlm\" {\n    username = \"CORP\\\\alice\"\n    password = env(\"CALLCTL_PASSWORD\")\n  }\n", "", 1))
	w := startWatch(t, &exchsim.Server{URL: front.URL}, dir, "-watch=1m", "-parallelism=1")
	<-reached
	w.stop()
	close(release)
	if code := w.exit(); code != ExitPartial {
		t.Errorf("exit code %d, want %d:\n%s", code, ExitPartial, w.out)
	}
	statuses, diags := operation.ReadJournal(operation.JournalPath(dir, ""))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := map[string]string{}
	for _, s := range statuses {
		got[s.CallID] = s.Status
	}
	want := map[string]string{"c-1": string(reconcile.OutcomeDisconnected), "c-2": string(reconcile.OutcomeFailed)}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("journal (-want +got):\n%s", d)
	}
}

// A second interrupt abandons the cycle's disconnects in flight, and the
// watch exits as apply does: 4 when some calls were disconnected, 1 when
// none was (README: "a second one abandons them, as for apply").
func TestWatchSecondInterruptExitsAsApply(t *testing.T) {
	for name, tc := range map[string]struct {
		calls []string
		want  int
	}{
		"some disconnected": {[]string{"c-1", "c-2"}, ExitPartial},
		"none disconnected": {[]string{"c-2"}, ExitError},
	} {
		t.Run(name, func(t *testing.T) {
			var simCalls []exchsim.Call
			for _, id := range tc.calls {
				simCalls = append(simCalls, exchsim.Call{ID: id, State: "Connected"})
			}
			srv, err := exchsim.NewServer(exchsim.Options{Calls: simCalls})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			// c-2's disconnect is held until the test is over: the second
			// interrupt finds it in flight.
			reached, release := make(chan struct{}), make(chan struct{})
			target, _ := url.Parse(srv.URL)
			proxy := httputil.NewSingleHostReverseProxy(target)
			front := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if strings.Contains(r.Header.Get("SOAPAction"), "DisconnectPhoneCall") && strings.Contains(string(body), "c-2") {
					close(reached)
					select {
					case <-release:
					case <-r.Context().Done():
					}
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
				proxy.ServeHTTP(rw, r)
			}))
			t.Cleanup(front.Close)
			t.Cleanup(func() { close(release) })

			dir := policyWithInventory(t, tc.calls...)
			writeFile(t, filepath.Join(dir, "main.hcl"), strings.Replace(watchPolicy, "auth \"ntlm\" {\n    username = \"CORP\\\\alice\"\n    password = env(\"CALLCTL_PASSWORD\")\n  }\n", "", 1))
			w := startWatch(t, &exchsim.Server{URL: front.URL}, dir, "-watch=1m", "-parallelism=1")
			<-reached
			w.stop()
			w.hard()
			code := <-w.done
			w.done <- code
			if code != tc.want {
				t.Errorf("exit code %d, want %d:\n%s", code, tc.want, w.out)
			}
			if !strings.Contains(w.out.String(), "Apply abandoned!") && !strings.Contains(w.out.String(), "; interrupted") {
				t.Errorf("the cycle is not reported abandoned:\n%s", w.out)
			}
		})
	}
}

// A cycle waits up to one interval for an apply run by hand to release
// the lock (README: "a cycle likewise waits up to one interval for a
// hand-run apply"), rather than failing at once.
func TestWatchWaitsUpToAnIntervalForTheLock(t *testing.T) {
	srv := watchSim(t, exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	dir := policyWithInventory(t, "c-1")
	lk, err := lock.Acquire(context.Background(), dir, 0, lock.Holder{Command: "callctl apply"})
	if err != nil {
		t.Fatal(err)
	}
	w := startWatch(t, srv, dir, "-watch=10s")
	time.Sleep(500 * time.Millisecond)
	lk.Release()
	w.waitCycles(1)
	if c := w.cycles()[0]; c[6] != "" || c[3] != "1" {
		t.Errorf("the first cycle, started while the lock was held, did not wait for it: %s\n%s", c[0], w.out)
	}
	if code := w.exit(); code != ExitOK {
		t.Errorf("exit code %d, want 0", code)
	}
}
