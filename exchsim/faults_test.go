package exchsim

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFaultShapes(t *testing.T) {
	tests := map[string]struct {
		faults Faults
		url    func(*Server) string
		kind   string
		check  func(t *testing.T, resp *http.Response, body []byte)
	}{
		"server busy, EWS": {
			Faults{ServerBusyRate: 1, BackOff: 1500 * time.Millisecond}, (*Server).EWSURL, FaultServerBusy,
			func(t *testing.T, resp *http.Response, body []byte) {
				r := decodeSOAP(t, resp, body)
				assertEWSFault(t, r, "ErrorServerBusy")
				v := childPath(t, r.Body, [2]string{"", "detail"}, ty("MessageXml"), ty("Value"))
				if name, _ := v.attr("Name"); name != "BackOffMilliseconds" || v.Text != "1500" {
					t.Errorf("t:Value Name=%q = %q, want BackOffMilliseconds = 1500", name, v.Text)
				}
			},
		},
		"server busy, 2007": {
			Faults{ServerBusyRate: 1}, (*Server).UM2007URL, FaultServerBusy,
			func(t *testing.T, resp *http.Response, body []byte) {
				r := decodeSOAP(t, resp, body)
				if r.Status != http.StatusInternalServerError || childPath(t, r.Body, [2]string{"", "faultcode"}).Text != "a:ServerBusyException" {
					t.Errorf("status %d, want 500 with a:ServerBusyException\n%s", r.Status, body)
				}
			},
		},
		"connection count, EWS": {
			Faults{ConnectionCountRate: 1}, (*Server).EWSURL, FaultConnectionCount,
			func(t *testing.T, resp *http.Response, body []byte) {
				r := decodeSOAP(t, resp, body)
				rc, _ := r.Body.attr("ResponseClass")
				code := text(childPath(t, r.Body, m("ResponseCode")))
				if r.Status != http.StatusOK || rc != "Error" || code != "ErrorExceededConnectionCount" {
					t.Errorf("status %d, %s/%s; want 200 in-body Error ErrorExceededConnectionCount", r.Status, rc, code)
				}
				childPath(t, r.Body, m("MessageXml"), ty("Value"))
			},
		},
		"unavailable": {
			Faults{UnavailableRate: 1, RetryAfter: 2500 * time.Millisecond}, (*Server).EWSURL, FaultUnavailable,
			func(t *testing.T, resp *http.Response, body []byte) {
				if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "3" {
					t.Errorf("status %d, Retry-After %q; want 503 and 3 (rounded up)", resp.StatusCode, resp.Header.Get("Retry-After"))
				}
			},
		},
		"html error": {
			Faults{HTMLErrorRate: 1}, (*Server).EWSURL, FaultHTMLError,
			func(t *testing.T, resp *http.Response, body []byte) {
				if resp.StatusCode != http.StatusInternalServerError ||
					!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
					!bytes.Contains(body, []byte("Server Error in '/EWS' Application")) {
					t.Errorf("status %d, Content-Type %q, body %.80q; want a 500 ASP.NET error page",
						resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := newTestServer(t, Options{Faults: tc.faults, Calls: []Call{{ID: "live", State: "Connected"}}})
			req := ewsRequest(t, "DisconnectPhoneCall", "live")
			if !strings.HasPrefix(tc.url(s), s.EWSURL()) {
				req = umRequest(t, "Disconnect", "live")
			}
			resp, body := postRaw(t, newClient(t), tc.url(s), req)
			tc.check(t, resp, body)
			assertFaultedNotRun(t, s, tc.kind)
		})
	}
}

// assertFaultedNotRun checks a faulted request was counted but had no
// effect on the table.
func assertFaultedNotRun(t *testing.T, s *Server, kind string) {
	t.Helper()
	st := s.Stats()
	if st.Faults[kind] != 1 {
		t.Errorf("Stats.Faults = %v, want %s: 1", st.Faults, kind)
	}
	if st.Requests["DisconnectPhoneCall"]+st.Requests["Disconnect"] != 1 {
		t.Errorf("Stats.Requests = %v, want the disconnect counted once", st.Requests)
	}
	if c, _ := s.Call("live"); c.State != "Connected" {
		t.Errorf("a faulted disconnect ran: %+v", c)
	}
}

func TestResetFault(t *testing.T) {
	s := newTestServer(t, Options{Faults: Faults{ResetRate: 1}, Calls: []Call{{ID: "live", State: "Connected"}}})
	req, _ := http.NewRequest(http.MethodPost, s.EWSURL(), bytes.NewReader(ewsRequest(t, "DisconnectPhoneCall", "live")))
	resp, err := newClient(t).Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("the client got a whole response; want a connection error")
	}
	// Unlike the other faults, a reset cuts off the answer after the
	// operation ran, so the client cannot know the call ended.
	if st := s.Stats(); st.Faults[FaultReset] != 1 {
		t.Errorf("Stats.Faults = %v, want reset: 1", st.Faults)
	}
	if c, _ := s.Call("live"); c.State != "Disconnected" {
		t.Errorf("the disconnect whose answer was cut off did not run: %+v", c)
	}
}

func TestHangEndsWhenClientGivesUp(t *testing.T) {
	s := newTestServer(t, Options{Faults: Faults{HangRate: 1}, Calls: []Call{{ID: "live", State: "Connected"}}})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- doCtx(ctx, newClient(t), s.EWSURL(), ewsRequest(t, "DisconnectPhoneCall", "live")) }()

	waitFor(t, func() bool { return s.Stats().Faults[FaultHang] == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("client error %v, want context.Canceled", err)
	}
	// The handler must notice on its own, before Close releases it.
	waitFor(t, func() bool { return s.active.Load() == 0 })
	assertFaultedNotRun(t, s, FaultHang)
}

func TestHangEndsOnClose(t *testing.T) {
	s := newTestServer(t, Options{Faults: Faults{HangRate: 1}})
	errc := make(chan error, 1)
	go func() {
		errc <- doCtx(context.Background(), newClient(t), s.EWSURL(), ewsRequest(t, "GetPhoneCallInformation", "x"))
	}()
	waitFor(t, func() bool { return s.Stats().Faults[FaultHang] == 1 })
	s.Close() // returns only once the hung handler is gone
	if n := s.active.Load(); n != 0 {
		t.Errorf("%d handlers still running after Close", n)
	}
	if err := <-errc; err == nil {
		t.Error("the hung request got a response; want a connection error")
	}
}

// TestDelays checks lower bounds only: the delay must have happened.
func TestDelays(t *testing.T) {
	const d = 40 * time.Millisecond
	tests := map[string]Options{
		"slow first byte": {Faults: Faults{SlowFirstByte: d}},
		"latency":         {Latency: d},
	}
	for name, opts := range tests {
		t.Run(name, func(t *testing.T) {
			s := newTestServer(t, opts)
			var wrote, first time.Time
			trace := &httptrace.ClientTrace{
				WroteRequest:         func(httptrace.WroteRequestInfo) { wrote = time.Now() },
				GotFirstResponseByte: func() { first = time.Now() },
			}
			ctx := httptrace.WithClientTrace(context.Background(), trace)
			if err := doCtx(ctx, newClient(t), s.EWSURL(), ewsRequest(t, "GetPhoneCallInformation", "x")); err != nil {
				t.Fatal(err)
			}
			if got := first.Sub(wrote); got < d {
				t.Errorf("first byte after %v, want at least %v", got, d)
			}
			if got, want := s.Stats().Faults[FaultSlowFirstByte] > 0, opts.Faults.SlowFirstByte > 0; got != want {
				t.Errorf("slow_first_byte counted: %v, want %v", got, want)
			}
		})
	}
}

func TestFaultSequenceIsDeterministic(t *testing.T) {
	faults := Faults{ServerBusyRate: 0.25, UnavailableRate: 0.25, HTMLErrorRate: 0.25, Seed: 42}
	run := func() []int {
		s := newTestServer(t, Options{Faults: faults})
		c := newClient(t)
		var statuses []int
		for range 24 {
			resp, _ := postRaw(t, c, s.EWSURL(), ewsRequest(t, "GetPhoneCallInformation", "x"))
			statuses = append(statuses, resp.StatusCode)
		}
		return statuses
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different faults:\n%v\n%v", a, b)
	}
	seen := map[int]bool{}
	for _, st := range a {
		seen[st] = true
	}
	if len(seen) < 3 {
		t.Errorf("statuses %v: want a mix of 200, 500 and 503 at these rates", a)
	}
}

func TestFaultsValidate(t *testing.T) {
	tests := map[string]Faults{
		"negative rate":     {ServerBusyRate: -0.1},
		"rate above one":    {HangRate: 1.5},
		"NaN":               {ResetRate: math.NaN()},
		"sum above one":     {ServerBusyRate: 0.6, UnavailableRate: 0.6},
		"negative backoff":  {BackOff: -time.Second},
		"negative slowness": {SlowFirstByte: -time.Second},
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := NewUnstartedServer(Options{Faults: f}); err == nil {
				t.Error("NewUnstartedServer accepted invalid faults")
			}
		})
	}
	if _, err := NewUnstartedServer(Options{Faults: Faults{ServerBusyRate: 0.5, HangRate: 0.5}}); err != nil {
		t.Errorf("rates summing to exactly 1 refused: %v", err)
	}
}

func doCtx(ctx context.Context, c *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	return err
}

// waitFor polls until cond holds; the test's own deadline bounds it.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		time.Sleep(2 * time.Millisecond)
	}
}
