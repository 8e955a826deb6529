package watch

import (
	"errors"
	"sync"

	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// exchangeHealth learns, from one cycle's lookups and disconnects, how
// each exchange the cycle used is doing: for /readyz and
// callctl_exchange_unhealthy.
type exchangeHealth struct {
	reconcile.NilHook

	mu   sync.Mutex
	seen map[string]metrics.ExchangeStatus
}

func (e *exchangeHealth) PostLookup(c *reconcile.Change, err error) { e.observe(c.Exchange, err) }
func (e *exchangeHealth) PostDisconnect(r *reconcile.Result)        { e.observe(r.Change.Exchange, r.Err) }

// observe records one request's outcome. Within a cycle the gravest
// reason wins: one answer does not undo a refused login.
func (e *exchangeHealth) observe(exchange string, err error) {
	if err != nil && stoppedErr(err) {
		return // our own interrupt says nothing of the exchange
	}
	s := exchangeStatus(err)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.seen == nil {
		e.seen = map[string]metrics.ExchangeStatus{}
	}
	if prev, ok := e.seen[exchange]; !ok || gravity(s.Reason) > gravity(prev.Reason) {
		e.seen[exchange] = s
	}
}

// statuses returns what the cycle learnt.
func (e *exchangeHealth) statuses() map[string]metrics.ExchangeStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.seen
}

// exchangeStatus reads what err says about its exchange as a whole: the
// throttle layer's verdict when it gave the exchange up, else what the
// last answer (or its absence) shows. An error about one call only (a
// SOAP fault, say) comes from an exchange that answers: it is no reason.
func exchangeStatus(err error) metrics.ExchangeStatus {
	var (
		given   *throttle.ExchangeError
		backoff *throttle.BackoffError
		herr    *soap.HTTPError
	)
	switch {
	case errors.As(err, &given):
		reason := map[string]string{
			throttle.KindAuth:       metrics.ReasonLoginRefused,
			throttle.KindDown:       metrics.ReasonDown,
			throttle.KindOverloaded: metrics.ReasonOverloaded,
		}[given.Kind]
		if reason == "" {
			reason = metrics.ReasonDown
		}
		return metrics.ExchangeStatus{Reason: reason, Detail: given.Error()}
	case errors.As(err, &backoff):
		return metrics.ExchangeStatus{Reason: metrics.ReasonBackingOff, Detail: backoff.Error()}
	case err == nil:
		return metrics.ExchangeStatus{}
	case soap.AuthFailed(err):
		return metrics.ExchangeStatus{Reason: metrics.ReasonLoginRefused, Detail: err.Error()}
	case soap.Overloaded(err):
		return metrics.ExchangeStatus{Reason: metrics.ReasonOverloaded, Detail: err.Error()}
	case !soap.Answered(err) || errors.As(err, &herr) && herr.StatusCode >= 500:
		// No answer at all (refused, reset, timed out), or an error
		// page in place of SOAP: the exchange is not working.
		return metrics.ExchangeStatus{Reason: metrics.ReasonDown, Detail: err.Error()}
	}
	return metrics.ExchangeStatus{}
}

// gravity orders reasons: healthy lowest, then metrics.Reasons from
// last to first.
func gravity(reason string) int {
	for i, r := range metrics.Reasons {
		if r == reason {
			return len(metrics.Reasons) - i
		}
	}
	return 0
}
