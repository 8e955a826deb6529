package watch

import (
	"context"
	"time"

	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// timed is a client that reports how long each lookup and disconnect
// took, retries included: the time a cycle spent on it.
type timed struct {
	soap.Caller
	exchange string
	obs      RequestObserver
}

func (t *timed) CallInfo(ctx context.Context, callID string) (soap.CallInfo, error) {
	start := time.Now()
	info, err := t.Caller.CallInfo(ctx, callID)
	t.obs.Request(t.exchange, "lookup", time.Since(start))
	return info, err
}

func (t *timed) Disconnect(ctx context.Context, callID string) error {
	start := time.Now()
	err := t.Caller.Disconnect(ctx, callID)
	t.obs.Request(t.exchange, "disconnect", time.Since(start))
	return err
}

// Stats passes the retry layer's counters through, so that the wrapping
// does not hide them (reconcile.RetryCounter).
func (t *timed) Stats() throttle.Stats { return stats(t.Caller) }
