package watch

import (
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// since lends a pooled client to one cycle. Its retry statistics count
// from the moment it was lent, so that a cycle reports its own retries,
// not every cycle's since the client was built; Close is left to the
// pool.
type since struct {
	soap.Caller
	base throttle.Stats
}

func newSince(c soap.Caller) *since { return &since{Caller: c, base: stats(c)} }

// Close does nothing: the pool closes its clients.
func (s *since) Close() {}

// Stats implements reconcile.RetryCounter.
func (s *since) Stats() throttle.Stats {
	now := stats(s.Caller)
	return throttle.Stats{
		Attempts:  now.Attempts - s.base.Attempts,
		Retries:   now.Retries - s.base.Retries,
		Throttled: now.Throttled - s.base.Throttled,
		GateWaits: now.GateWaits - s.base.GateWaits,
		Backoff:   now.Backoff - s.base.Backoff,
		Limit:     now.Limit,
	}
}

func stats(c soap.Caller) throttle.Stats {
	if rc, ok := c.(interface{ Stats() throttle.Stats }); ok {
		return rc.Stats()
	}
	return throttle.Stats{}
}
