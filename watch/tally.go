package watch

import (
	"sync"

	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/reconcile"
)

// tally counts one cycle's lookups and what became of each call, for the
// summary, and passes each event on to the metrics as it happens.
type tally struct {
	reconcile.NilHook
	metrics *metrics.Metrics

	mu                                                     sync.Mutex
	lookedUp, disconnected, alreadyEnded, notFound, failed int
}

// PostLookup counts a lookup. A lookup our own interrupt cut off is no
// failure: the call is simply left for the next run.
func (t *tally) PostLookup(c *reconcile.Change, err error) {
	outcome := string(c.Action)
	var call reconcile.Outcome
	switch {
	case err != nil && stoppedErr(err):
		return
	case err != nil:
		outcome, call = "error", reconcile.OutcomeFailed
	case c.Action == reconcile.ActionNone:
		call = reconcile.OutcomeAlreadyEnded
	case c.Action == reconcile.ActionNotFound:
		call = reconcile.OutcomeNotFound
	}
	t.mu.Lock()
	t.lookedUp++
	t.count(call)
	t.mu.Unlock()
	if t.metrics != nil {
		t.metrics.Lookup(c.Exchange, outcome)
		if call != "" {
			t.metrics.Call(c.Exchange, call)
		}
	}
}

// PostDisconnect counts a disconnect's outcome.
func (t *tally) PostDisconnect(r *reconcile.Result) {
	t.mu.Lock()
	t.count(r.Outcome)
	t.mu.Unlock()
	if t.metrics != nil {
		t.metrics.Disconnect(r.Change.Exchange, r.Outcome)
		t.metrics.Call(r.Change.Exchange, r.Outcome)
	}
}

// count adds one call's outcome; t.mu is held.
func (t *tally) count(o reconcile.Outcome) {
	switch o {
	case reconcile.OutcomeDisconnected:
		t.disconnected++
	case reconcile.OutcomeAlreadyEnded:
		t.alreadyEnded++
	case reconcile.OutcomeNotFound:
		t.notFound++
	case reconcile.OutcomeFailed:
		t.failed++
	}
}

func (t *tally) summary() *Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	return &Summary{LookedUp: t.lookedUp, Disconnected: t.disconnected, AlreadyEnded: t.alreadyEnded, NotFound: t.notFound, Failed: t.failed}
}
