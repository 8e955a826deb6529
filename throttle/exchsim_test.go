package throttle_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// TestPlanApplyUnderFaults runs a whole plan and apply through the
// simulator's NTLM endpoint while it injects one kind of fault (or a mix)
// into up to a fifth of all requests, and checks that every call still
// ends up with exactly one outcome and disconnected on the server.
func TestPlanApplyUnderFaults(t *testing.T) {
	const parallelism = 4
	cases := []struct {
		name    string
		dialect string
		calls   int
		faults  exchsim.Faults
		timeout time.Duration // per attempt
		// kinds are fault kinds the simulator must have injected, so
		// that a quiet run cannot pass for a faulty one.
		kinds []string
	}{
		{name: "server busy", calls: 200, faults: exchsim.Faults{ServerBusyRate: 0.2, BackOff: 50 * time.Millisecond},
			kinds: []string{exchsim.FaultServerBusy}},
		{name: "connection count", calls: 200, faults: exchsim.Faults{ConnectionCountRate: 0.2},
			kinds: []string{exchsim.FaultConnectionCount}},
		// Retry-After is whole seconds on the wire: few calls, few 503s.
		{name: "unavailable", calls: 20, faults: exchsim.Faults{UnavailableRate: 0.05, RetryAfter: time.Second},
			kinds: []string{exchsim.FaultUnavailable}},
		{name: "reset", calls: 200, faults: exchsim.Faults{ResetRate: 0.2},
			kinds: []string{exchsim.FaultReset}},
		{name: "html error page", calls: 200, faults: exchsim.Faults{HTMLErrorRate: 0.2},
			kinds: []string{exchsim.FaultHTMLError}},
		{name: "hang", calls: 200, faults: exchsim.Faults{HangRate: 0.1}, timeout: 250 * time.Millisecond,
			kinds: []string{exchsim.FaultHang}},
		{name: "mixed", calls: 200, timeout: 500 * time.Millisecond, faults: exchsim.Faults{
			ServerBusyRate: 0.08, BackOff: 50 * time.Millisecond, ConnectionCountRate: 0.04,
			ResetRate: 0.04, HTMLErrorRate: 0.04, HangRate: 0.02},
			kinds: []string{exchsim.FaultServerBusy, exchsim.FaultReset, exchsim.FaultHTMLError, exchsim.FaultHang}},
		{name: "mixed UM 2007", dialect: soap.DialectUM2007, calls: 200, timeout: 500 * time.Millisecond, faults: exchsim.Faults{
			ServerBusyRate: 0.1, BackOff: 50 * time.Millisecond, ResetRate: 0.05, HTMLErrorRate: 0.05},
			kinds: []string{exchsim.FaultServerBusy, exchsim.FaultReset, exchsim.FaultHTMLError}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			live := []string{soap.StateConnected, soap.StateAlerted, soap.StateIncoming, soap.StateTransferring}
			var simCalls []exchsim.Call
			var calls []*config.Call
			for i := range tc.calls {
				id := fmt.Sprintf("call-%03d", i)
				state := live[i%len(live)]
				if i%10 == 9 {
					state = soap.StateDisconnected
				}
				simCalls = append(simCalls, exchsim.Call{ID: id, State: state})
				calls = append(calls, &config.Call{Address: "end_call." + id, Name: id, Exchange: "ex", CallID: id})
			}
			// A few ids the server does not know.
			for i := range 3 {
				id := fmt.Sprintf("gone-%d", i)
				calls = append(calls, &config.Call{Address: "end_call." + id, Name: id, Exchange: "ex", CallID: id})
			}
			tc.faults.Seed = 1
			srv, err := exchsim.NewServer(exchsim.Options{Calls: simCalls, Auth: exchsim.AuthNTLM,
				User: `CORP\alice`, Password: "secret", Faults: tc.faults})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			url := srv.EWSURL()
			if tc.dialect == soap.DialectUM2007 {
				url = srv.UM2007URL()
			}
			inner, err := soap.New(soap.Options{URL: url, Dialect: tc.dialect, Auth: authkind.NTLM,
				Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"}, Parallelism: parallelism})
			if err != nil {
				t.Fatal(err)
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			c := throttle.Wrap(inner, throttle.Policy{
				// Enough attempts that a fifth of requests failing
				// cannot plausibly fail a call (0.2^10 per call).
				MaxAttempts: 10,
				StallAfter:  time.Hour,
				DownAfter:   1000,
				BaseDelay:   5 * time.Millisecond,
				MaxDelay:    100 * time.Millisecond,
				MaxBackoff:  time.Minute,
				Timeout:     timeout,
				Parallelism: parallelism,
			})
			t.Cleanup(c.Close)
			callers := map[string]soap.Caller{"ex": c}
			ctx := context.Background()

			planner := &reconcile.Planner{Callers: callers, Parallelism: parallelism}
			plan, diags := planner.Plan(ctx, calls)
			if diags.HasErrors() {
				t.Fatalf("plan failed: %s", diags.Error())
			}
			wantSummary := reconcile.Summary{ToDisconnect: tc.calls - tc.calls/10, AlreadyEnded: tc.calls / 10, NotFound: 3}
			if got := plan.Summary(); got != wantSummary {
				t.Fatalf("plan summary %+v, want %+v", got, wantSummary)
			}

			applier := &reconcile.Applier{Callers: callers, Parallelism: parallelism}
			res := applier.Apply(ctx, ctx, plan)
			if len(res.Results) != len(plan.Changes) {
				t.Fatalf("%d results for %d changes", len(res.Results), len(plan.Changes))
			}
			for i, r := range res.Results {
				if r == nil || r.Change != plan.Changes[i] {
					t.Fatalf("result %d does not belong to change %d", i, i)
				}
				if r.Outcome == reconcile.OutcomeFailed || r.Outcome == reconcile.OutcomeNotStarted {
					t.Errorf("%s: %s: %v", r.Change.Address, r.Outcome, r.Err)
				}
			}
			wantCounts := reconcile.ApplyCounts{Disconnected: wantSummary.ToDisconnect, AlreadyEnded: wantSummary.AlreadyEnded, NotFound: wantSummary.NotFound}
			if got := res.Counts(); got != wantCounts {
				t.Errorf("apply counts %+v, want %+v", got, wantCounts)
			}
			for _, call := range srv.Calls() {
				if call.State != soap.StateDisconnected {
					t.Errorf("call %s is %s on the server after apply", call.ID, call.State)
				}
			}

			faults := srv.Stats().Faults
			for _, kind := range tc.kinds {
				if faults[kind] == 0 {
					t.Errorf("simulator injected no %s faults (%v): the test proved nothing", kind, faults)
				}
			}
			s := c.Stats()
			if s.Retries == 0 {
				t.Errorf("stats %+v: no retries despite faults %v", s, faults)
			}
			t.Logf("faults %v; stats %+v", faults, s)
		})
	}
}
