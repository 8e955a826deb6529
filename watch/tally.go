package watch

import (
	"sync"

	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/reconcile"
)

// tally counts one cycle's lookups, and passes each lookup and disconnect
// on to the metrics as it happens. What became of the calls once the
// apply ran is its verdict's to say, not the tally's.
type tally struct {
	reconcile.NilHook
	metrics *metrics.Metrics

	mu sync.Mutex
	// lookedUp and failed count lookups; alreadyEnded and notFound the
	// calls the lookups found over, for a cycle that applies nothing.
	lookedUp, failed, alreadyEnded, notFound int
}

// PostLookup counts a lookup. A lookup our own interrupt cut off is no
// failure: the call is simply left for the next run.
func (t *tally) PostLookup(c *reconcile.Change, err error) {
	if err != nil && stoppedErr(err) {
		return
	}
	outcome := string(c.Action)
	var call reconcile.Outcome
	switch {
	case err != nil:
		outcome, call = "error", reconcile.OutcomeFailed
	case c.Action == reconcile.ActionNone || c.Action == reconcile.ActionNotFound:
		// Settled at lookup: the plan's outcome for it.
		call = reconcile.Unsent(c).Outcome
	}
	t.mu.Lock()
	t.lookedUp++
	switch call {
	case reconcile.OutcomeFailed:
		t.failed++
	case reconcile.OutcomeAlreadyEnded:
		t.alreadyEnded++
	case reconcile.OutcomeNotFound:
		t.notFound++
	}
	t.mu.Unlock()
	if t.metrics != nil {
		t.metrics.Lookup(c.Exchange, outcome)
		if call != "" {
			t.metrics.Call(c.Exchange, call)
		}
	}
}

// PostDisconnect passes a disconnect's outcome on to the metrics.
func (t *tally) PostDisconnect(r *reconcile.Result) {
	if t.metrics != nil {
		t.metrics.Disconnect(r.Change.Exchange, r.Outcome)
		t.metrics.Call(r.Change.Exchange, r.Outcome)
	}
}

// summary counts the cycle: the apply's verdict once it ran, the lookups
// otherwise.
func (t *tally) summary(res *operation.Result) *Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := &Summary{LookedUp: t.lookedUp, AlreadyEnded: t.alreadyEnded, NotFound: t.notFound, Failed: t.failed}
	if res.Applied != nil {
		v := res.Applied.Verdict()
		s.Disconnected, s.AlreadyEnded, s.NotFound, s.Failed = v.Disconnected, v.AlreadyEnded, v.NotFound, v.Failed // failed lookups included: the apply carries them
	}
	return s
}
