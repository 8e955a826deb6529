package watch

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

func TestExchangeStatus(t *testing.T) {
	refused := &soap.HTTPError{Operation: "GetPhoneCallInformation", StatusCode: 401}
	tests := map[string]struct {
		err  error
		want string
	}{
		"answered":          {nil, ""},
		"given up: auth":    {&throttle.NotSentError{Err: &throttle.ExchangeError{Exchange: "corp", Kind: throttle.KindAuth, Err: refused}}, metrics.ReasonLoginRefused},
		"given up: down":    {&throttle.ExchangeError{Exchange: "corp", Kind: throttle.KindDown, Err: context.DeadlineExceeded}, metrics.ReasonDown},
		"given up: busy":    {&throttle.ExchangeError{Exchange: "corp", Kind: throttle.KindOverloaded, Err: &soap.HTTPError{StatusCode: 503}}, metrics.ReasonOverloaded},
		"long back-off":     {&throttle.BackoffError{Operation: "GetPhoneCallInformation", Wait: time.Hour, Max: time.Minute, Err: &soap.HTTPError{StatusCode: 503}}, metrics.ReasonBackingOff},
		"401":               {refused, metrics.ReasonLoginRefused},
		"429":               {&soap.HTTPError{StatusCode: 429}, metrics.ReasonOverloaded},
		"HTML 500":          {&soap.HTTPError{StatusCode: 500}, metrics.ReasonDown},
		"connection":        {fmt.Errorf("POST: %w", &net.OpError{Op: "dial", Err: fmt.Errorf("connection refused")}), metrics.ReasonDown},
		"fault on one call": {&soap.Fault{Operation: "GetPhoneCallInformation"}, ""},
	}
	for name, tc := range tests {
		if got := exchangeStatus(tc.err); got.Reason != tc.want {
			t.Errorf("%s: reason %q, want %q", name, got.Reason, tc.want)
		}
	}
}

// In a cycle the gravest reason wins, whatever the order; an interrupted
// request says nothing.
func TestExchangeHealthKeepsTheGravest(t *testing.T) {
	e := &exchangeHealth{}
	look := func(ex string, err error) { e.PostLookup(&reconcile.Change{Exchange: ex}, err) }
	look("corp", nil)
	look("corp", &throttle.ExchangeError{Kind: throttle.KindAuth})
	look("corp", nil)
	look("lon", context.Canceled)
	look("par", &soap.HTTPError{StatusCode: 503})
	look("par", &throttle.ExchangeError{Kind: throttle.KindDown})
	got := e.statuses()
	if got["corp"].Reason != metrics.ReasonLoginRefused || got["par"].Reason != metrics.ReasonDown {
		t.Errorf("statuses = %+v", got)
	}
	if _, ok := got["lon"]; ok {
		t.Error("an interrupted lookup counted")
	}
}
