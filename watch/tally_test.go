package watch

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/reconcile"
)

// A lookup our own interrupt cut off is no failure, neither in the
// cycle's summary nor in the metrics: the call is left for the next run.
// A real lookup failure is one.
func TestOwnInterruptIsNoFailure(t *testing.T) {
	m := metrics.New()
	tl := &tally{metrics: m}
	c := &reconcile.Change{Exchange: "corp", Action: reconcile.ActionDisconnect}
	tl.PostLookup(c, fmt.Errorf("GetPhoneCallInformation: stopped: %w", context.Canceled))
	s := tl.summary(&operation.Result{})
	if s.Failed != 0 || s.LookedUp != 0 {
		t.Errorf("after an interrupted lookup: %d failed, %d looked up; want none", s.Failed, s.LookedUp)
	}
	if n, _ := testutil.GatherAndCount(m.Registry(), "callctl_calls_failed_total", "callctl_lookups_total"); n != 0 {
		t.Errorf("%d metric series after an interrupted lookup, want none", n)
	}
	tl.PostLookup(c, errors.New("GetPhoneCallInformation: no answer"))
	if s := tl.summary(&operation.Result{}); s.Failed != 1 || s.LookedUp != 1 {
		t.Errorf("after a failed lookup: %d failed, %d looked up; want 1 and 1", s.Failed, s.LookedUp)
	}
}
