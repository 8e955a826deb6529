package reconcile

import (
	"time"

	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// RetryStats is how much retrying and throttling a run met, summed over
// every exchange. Views render it; they need not know the retry layer.
type RetryStats struct {
	Attempts  int64 // requests sent, counting repeats
	Retries   int64 // repeats after a transient failure
	Throttled int64 // answers saying the exchange is overloaded
	GateWaits int64 // times a request waited out an exchange-wide back-off
	// Backoff is the time requests spent waiting, summed over requests.
	Backoff time.Duration
}

// RetryCounter is a client that counts its retries, as the retry layer
// (throttle.Caller) does. Clients that do not are simply not counted.
type RetryCounter interface {
	Stats() throttle.Stats
}

// TotalRetryStats adds up the retry statistics of every client that keeps
// them.
func TotalRetryStats(callers map[string]soap.Caller) RetryStats {
	var total RetryStats
	for _, c := range callers {
		rc, ok := c.(RetryCounter)
		if !ok {
			continue
		}
		s := rc.Stats()
		total.Attempts += s.Attempts
		total.Retries += s.Retries
		total.Throttled += s.Throttled
		total.GateWaits += s.GateWaits
		total.Backoff += s.Backoff
	}
	return total
}
