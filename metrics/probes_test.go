package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// probeClock is a Health on a clock the test moves.
type probeClock struct {
	start, now time.Time
	h          *Health
}

func newProbeClock() *probeClock {
	c := &probeClock{start: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)}
	c.now = c.start
	c.h = NewHealth(time.Minute, 5*time.Minute, func() time.Time { return c.now })
	return c
}

func (c *probeClock) at(d time.Duration) time.Time { return c.start.Add(d) }

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

// /livez fails only when no cycle has started for two intervals plus
// the longest allowed cycle (here 2m + 5m); /readyz only passes within
// two intervals of a successful cycle, and never before the first.
func TestProbes(t *testing.T) {
	const ok, down = http.StatusOK, http.StatusServiceUnavailable
	refused := map[string]ExchangeStatus{
		"corp": {Reason: ReasonLoginRefused, Detail: "authentication failed for exchange corp: 401\nforged line"},
		"lon":  {},
	}
	tests := map[string]struct {
		cycles    func(h *Health, c *probeClock)
		now       time.Duration
		live      int
		ready     int
		wantReady []string // in /readyz's body
	}{
		"just started": {
			cycles: func(*Health, *probeClock) {}, now: 10 * time.Second,
			live: ok, ready: down, wantReady: []string{"no cycle has succeeded yet", "the first cycle has not started"},
		},
		"first cycle slow": {
			cycles: func(h *Health, c *probeClock) { h.CycleStarted(1, c.at(0)) }, now: 6 * time.Minute,
			live: ok, ready: down, wantReady: []string{"no cycle has succeeded yet", "cycle 1 is running"},
		},
		"first cycle hung": {
			cycles: func(h *Health, c *probeClock) { h.CycleStarted(1, c.at(0)) }, now: 7*time.Minute + time.Second,
			live: down, ready: down,
		},
		"never started": {
			cycles: func(*Health, *probeClock) {}, now: 8 * time.Minute,
			live: down, ready: down,
		},
		"every cycle refused": {
			cycles: func(h *Health, c *probeClock) {
				for i := range 3 {
					h.CycleStarted(i+1, c.at(time.Duration(i)*time.Minute))
					h.CycleFinished(i+1, ResultError, c.at(time.Duration(i)*time.Minute+time.Second), refused)
				}
			},
			now:  2*time.Minute + 10*time.Second,
			live: ok, ready: down,
			wantReady: []string{"no cycle has succeeded yet", "cycle 3 ended error 9s ago",
				"\nexchange corp: login refused: authentication failed for exchange corp: 401 forged line\n"},
		},
		"succeeded recently": {
			cycles: func(h *Health, c *probeClock) {
				h.CycleStarted(1, c.at(0))
				h.CycleFinished(1, ResultOK, c.at(time.Second), map[string]ExchangeStatus{"corp": {}})
			},
			now:  2*time.Minute + time.Second,
			live: ok, ready: ok, wantReady: []string{"ok: last successful cycle ended 2m0s ago"},
		},
		"partial since": {
			cycles: func(h *Health, c *probeClock) {
				h.CycleStarted(1, c.at(0))
				h.CycleFinished(1, ResultOK, c.at(time.Second), nil)
				for i := 1; i < 4; i++ {
					h.CycleStarted(i+1, c.at(time.Duration(i)*time.Minute))
					h.CycleFinished(i+1, ResultPartial, c.at(time.Duration(i)*time.Minute+time.Second), map[string]ExchangeStatus{"corp": {Reason: ReasonDown, Detail: "exchange corp is down"}})
				}
			},
			now:  3*time.Minute + 2*time.Second,
			live: ok, ready: down,
			wantReady: []string{"the last successful cycle ended 3m1s ago, more than two intervals of 1m0s", "cycle 4 ended partial", "exchange corp: down: exchange corp is down"},
		},
		"recovered": {
			cycles: func(h *Health, c *probeClock) {
				h.CycleStarted(1, c.at(0))
				h.CycleFinished(1, ResultError, c.at(time.Second), refused)
				h.CycleStarted(2, c.at(time.Minute))
				h.CycleFinished(2, ResultOK, c.at(time.Minute+time.Second), map[string]ExchangeStatus{"corp": {}})
			},
			now:  time.Minute + 2*time.Second,
			live: ok, ready: ok,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := newProbeClock()
			tc.cycles(c.h, c)
			c.now = c.at(tc.now)
			if code, body := get(t, c.h.LivezHandler(), "/livez"); code != tc.live {
				t.Errorf("/livez %d, want %d: %s", code, tc.live, body)
			}
			for _, path := range []string{"/readyz", "/healthz"} {
				code, body := get(t, c.h.ReadyzHandler(), path)
				if code != tc.ready {
					t.Errorf("%s %d, want %d: %s", path, code, tc.ready, body)
				}
				for _, w := range tc.wantReady {
					if !strings.Contains(body, w) {
						t.Errorf("%s body %q lacks %q", path, body, w)
					}
				}
			}
		})
	}
}

// callctl_exchange_unhealthy has a series per reason for each exchange
// the last cycle used: 1 for its reason, 0 for the others.
func TestExchangeUnhealthyMetric(t *testing.T) {
	m := New()
	h := NewHealth(time.Minute, time.Minute, nil)
	m.Registry().MustRegister(h)
	if n, _ := testutil.GatherAndCount(m.Registry(), "callctl_exchange_unhealthy"); n != 0 {
		t.Errorf("%d series before any cycle", n)
	}
	h.CycleFinished(1, ResultError, time.Now(), map[string]ExchangeStatus{
		"corp": {Reason: ReasonOverloaded, Detail: "busy"},
		"lon":  {},
	})
	want := `
# HELP callctl_exchange_unhealthy 1 when the last cycle that used the exchange found it unhealthy for the reason given (login_refused, down, overloaded, backing_off), else 0.
# TYPE callctl_exchange_unhealthy gauge
callctl_exchange_unhealthy{exchange="corp",reason="backing_off"} 0
callctl_exchange_unhealthy{exchange="corp",reason="down"} 0
callctl_exchange_unhealthy{exchange="corp",reason="login_refused"} 0
callctl_exchange_unhealthy{exchange="corp",reason="overloaded"} 1
callctl_exchange_unhealthy{exchange="lon",reason="backing_off"} 0
callctl_exchange_unhealthy{exchange="lon",reason="down"} 0
callctl_exchange_unhealthy{exchange="lon",reason="login_refused"} 0
callctl_exchange_unhealthy{exchange="lon",reason="overloaded"} 0
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "callctl_exchange_unhealthy"); err != nil {
		t.Error(err)
	}
}

// The last-success timestamp is absent until a cycle succeeds (an alert
// on its age must not fire at every start), and a partial cycle does
// not set it.
func TestLastSuccessAbsentUntilSuccess(t *testing.T) {
	m := New()
	count := func() int {
		n, err := testutil.GatherAndCount(m.Registry(), "callctl_watch_last_success_timestamp_seconds")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Errorf("%d series before any cycle", n)
	}
	m.CycleDone(ResultPartial, time.Second, time.Unix(100, 0))
	m.CycleDone(ResultError, time.Second, time.Unix(200, 0))
	if n := count(); n != 0 {
		t.Errorf("%d series after partial and error cycles", n)
	}
	m.CycleDone(ResultOK, time.Second, time.Unix(300, 0))
	m.CycleDone(ResultPartial, time.Second, time.Unix(400, 0))
	if v := testutil.ToFloat64(m.lastSuccess); v != 300 {
		t.Errorf("last success %v after ok at 300 then partial at 400", v)
	}
}
