package watch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
)

// summaries is a quiet watch view that hands each cycle's summary over.
type summaries struct {
	c chan *Summary
}

func (summaries) SetConfigSources(map[string]*hcl.File) {}
func (summaries) Diagnostics(hcl.Diagnostics)           {}
func (summaries) DataSourceRead(*config.DataSource)     {}
func (summaries) Planning(int, int)                     {}
func (summaries) Plan(*reconcile.Plan)                  {}
func (summaries) SavedPlan(*operation.SavedPlan)        {}
func (summaries) Retried(throttle.Stats)                {}
func (summaries) Hooks() []reconcile.Hook               { return nil }
func (summaries) Applying(int)                          {}
func (summaries) Applied(*reconcile.ApplyResult)        {}
func (summaries) Cancelled()                            {}
func (v summaries) CycleSummary(s *Summary)             { v.c <- s }

// frontend is the exchange as the watch sees it, on one address: stopped
// (nothing listens), hung (accepts and never answers) or healthy (the
// simulator behind it), as a server restarted on the same port would be.
type frontend struct {
	t    *testing.T
	addr string
	sim  *exchsim.Server

	mu    sync.Mutex
	srv   *http.Server
	done  chan struct{}
	first time.Time // the first request the healthy exchange got
}

func (f *frontend) firstHealthy() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first
}

func (f *frontend) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv != nil {
		close(f.done)
		f.srv.Close()
		f.srv = nil
	}
}

func (f *frontend) start(hung bool) {
	f.stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	var ln net.Listener
	var err error
	for range 100 { // the port may take a moment to be free again
		if ln, err = net.Listen("tcp", f.addr); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	target, _ := url.Parse(f.sim.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	done := make(chan struct{})
	f.done = done
	f.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hung {
			select {
			case <-r.Context().Done():
			case <-done:
			}
			return
		}
		f.mu.Lock()
		if f.first.IsZero() {
			f.first = time.Now()
		}
		f.mu.Unlock()
		proxy.ServeHTTP(w, r)
	})}
	go f.srv.Serve(ln)
}

// A watch across an outage — the exchange stopped, then back but hung,
// then healthy on the same port — gives the hung exchange up, rests it
// for the back-off its cycle line prints, and ends the declared call in
// the first cycle after that back-off.
func TestWatchAcrossOutage(t *testing.T) {
	sim, err := exchsim.NewServer(exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	front := &frontend{t: t, addr: ln.Addr().String(), sim: sim}
	ln.Close() // stopped: nothing listens
	defer front.stop()

	dir := t.TempDir()
	policy := fmt.Sprintf(`
exchange "corp" {
  url = "http://%s%s"
}

end_call "stuck" {
  exchange = exchange.corp
  call_id  = "c-1"
}
`, front.addr, exchsim.EWSPath)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	view := summaries{c: make(chan *Summary, 100)}
	stop, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := Options{
		Interval: 20 * time.Millisecond,
		Request: operation.ApplyRequest{Request: operation.Request{
			Dir: dir, MaxDisconnects: -1, Version: "0.0.0-test",
			Connect: exchange.Options{Parallelism: 1, MaxAttempts: 3, Timeout: 50 * time.Millisecond},
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

	// Stopped: the cycle fails, the call is not ended.
	if s := next(); s.Disconnected != 0 || s.Result == "ok" {
		t.Fatalf("stopped exchange: cycle %+v", s)
	}
	// Back, hung: a cycle gives it up and says when it tries next.
	front.start(true)
	var given *Summary
	for range 50 {
		if s := next(); len(s.NextTries) > 0 {
			given = s
			break
		}
	}
	if given == nil {
		t.Fatal("50 cycles against a hung exchange, none gave it up")
	}
	if given.NextTries[0].Exchange != "corp" || given.NextTries[0].In <= 0 {
		t.Fatalf("next tries %v", given.NextTries)
	}
	// As printed, at the latest: the rest was set when the cycle ended.
	nextTry := given.Started.Add(given.Duration).Add(given.NextTries[0].In)
	// Healthy again before that next try.
	front.start(false)
	for {
		s := next()
		if s.Disconnected == 1 && s.Result == "ok" {
			break
		}
		if !s.Started.Before(nextTry) {
			// The first cycle after the back-off ends the call.
			t.Fatalf("first cycle after the back-off: %+v", s)
		}
	}
	if first := front.firstHealthy(); first.Before(nextTry) {
		t.Errorf("a request reached the exchange %s before its printed next try", nextTry.Sub(first))
	}
	cancel() // view.c is buffered: the watch never waits on it
	if st := <-ended; st != operation.StatusOK {
		t.Errorf("watch ended with %d", st)
	}
}
