package reconcile

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// Calls stopped because their exchange was given up each read a few
// words ("disconnect not sent: exchange corp is down"); the one grouped
// diagnostic per exchange and cause carries the detail.
func TestGivenUpExchangeReadsShortPerCall(t *testing.T) {
	down := &throttle.ExchangeError{Exchange: "corp", Kind: throttle.KindDown, Count: 3, For: 24 * time.Second,
		Err: fmt.Errorf("GetPhoneCallInformation: no answer within 8s: %w", context.DeadlineExceeded)}
	auth := &throttle.ExchangeError{Exchange: "corp", Kind: throttle.KindAuth,
		Err: &soap.HTTPError{Operation: "GetPhoneCallInformation", StatusCode: 401}}
	tests := map[string]struct {
		recheck  bool
		lookErr  error // during apply
		discErr  func(id string) error
		want     string // every call's Err
		wantDiag string // in the one diagnostic
	}{
		"disconnects not sent, exchange down": {
			discErr:  func(id string) error { return &throttle.NotSentError{Operation: "DisconnectPhoneCall", Err: down} },
			want:     "disconnect not sent: exchange corp is down",
			wantDiag: "3 requests in a row got no answer over 24s",
		},
		"re-check not looked up, authentication failed": {
			recheck:  true,
			lookErr:  &throttle.NotSentError{Operation: "GetPhoneCallInformation", Err: auth},
			want:     "not looked up: authentication failed for exchange corp",
			wantDiag: "HTTP 401",
		},
		"sent unanswered, then exchange down": {
			discErr: func(id string) error {
				if id == "a" { // its own attempt got no answer; the others were never sent
					return &throttle.MaybeAppliedError{Err: down}
				}
				return &throttle.NotSentError{Operation: "DisconnectPhoneCall", Err: down}
			},
			want:     "exchange corp is down",
			wantDiag: "no answer within 8s",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ids := []string{"a", "b", "c", "d", "e", "f", "g"}
			states := map[string]string{}
			for _, id := range ids {
				states[id] = "Connected"
			}
			f := newFake(states)
			callers := map[string]soap.Caller{"corp": f}
			plan, diags := (&Planner{Callers: callers}).Plan(context.Background(), calls("corp", ids...))
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			for _, id := range ids {
				if tc.lookErr != nil {
					f.lookErr[id] = tc.lookErr
				}
				if tc.discErr != nil {
					f.discErr[id] = tc.discErr(id)
				}
			}
			res := (&Applier{Callers: callers, Recheck: tc.recheck}).Apply(context.Background(), context.Background(), plan)
			for _, r := range res.Results {
				msg := r.Err.Error()
				if !strings.Contains(msg, tc.want) || strings.Contains(msg, tc.wantDiag) {
					t.Errorf("%s: %q, want the short %q without the detail", r.Change.CallID, msg, tc.want)
				}
			}
			diags = ApplyFailureDiagnostics(res)
			var withDetail int
			for _, d := range diags {
				if strings.Contains(d.Detail, tc.wantDiag) {
					withDetail++
				}
			}
			if withDetail != len(diags) || len(diags) > 2 {
				t.Errorf("diagnostics:\n%v\nwant one per outcome, each with %q", diags, tc.wantDiag)
			}
		})
	}
}
