package throttle

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/callctl/callctl/soap"

	"github.com/callctl/callctl/vocab"
)

// Defaults for zero Policy fields.
const (
	// A request gets DefaultMaxAttempts tries of DefaultTimeout each,
	// not counting answers that ask to back off (enough that transient
	// faults at 20% of requests fail about one operation in 400,000);
	// an exchange that answers none of DefaultDownAfter requests in a row
	// before it has answered once is given up, so a hung exchange costs
	// about DefaultDownAfter × DefaultTimeout, not minutes. Once it has
	// answered, it is given up when no request succeeded for
	// DefaultStallAfter, or twice the longest back-off it asked for.
	DefaultMaxAttempts  = 8
	DefaultBaseDelay    = 200 * time.Millisecond
	DefaultMaxDelay     = 10 * time.Second
	DefaultMaxBackoff   = vocab.DefaultMaxBackoff
	DefaultTimeout      = vocab.DefaultTimeout
	DefaultDownAfter    = 3
	DefaultStallAfter   = 30 * time.Second
	DefaultRecoverAfter = 2
)

// NeverWait as Policy.MaxBackoff waits out no server-advised back-off:
// a call the server asks to wait fails at once (-max-backoff=0).
const NeverWait time.Duration = -1

// Policy says how hard a Caller tries and how politely. Zero fields take
// the defaults above; Parallelism defaults to soap.DefaultParallelism.
type Policy struct {
	// MaxAttempts bounds the requests sent for one lookup or disconnect,
	// the first included, not counting those answered with a back-off
	// the server asked for (which the stall window bounds instead, and
	// maxSends). 1 turns retrying off.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the exponential back-off between
	// attempts: before retry n the wait is drawn uniformly from
	// [0, min(MaxDelay, BaseDelay·2^(n-1))) ("full jitter"), so that
	// workers that failed together do not retry together.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxBackoff is the longest server-advised wait (BackOffMilliseconds,
	// Retry-After) worth waiting out. A longer one fails the calls it
	// holds up at once, with a *BackoffError, rather than leaving callctl
	// silently stuck for minutes. NeverWait fails every one.
	MaxBackoff time.Duration
	// Timeout bounds each attempt separately, so that one hung request
	// costs one attempt, not the whole run.
	Timeout time.Duration
	// Parallelism is the most requests in flight to the exchange, the
	// ceiling the adaptive limit starts at and recovers to. Set it to the
	// inner client's Options.Parallelism; the client's own connection
	// lanes bound it in any case.
	Parallelism int
	// RecoverAfter is how many successes raise a lowered limit by one.
	RecoverAfter int

	// Exchange names the exchange in errors that give it up.
	Exchange string
	// DownAfter is how many attempts in a row may fail (no answer, a
	// refused connection, 5xx, a back-off past MaxBackoff) before the
	// exchange has answered once, before it is declared down and every
	// request to it fails at once.
	DownAfter int
	// StallAfter is how long an exchange that has answered may go
	// without a successful answer (failures and back-offs only) before
	// it is declared down or overloaded; twice the longest back-off it
	// asked for, when that is longer.
	StallAfter time.Duration
	// ProveFirst sends one request at a time until the exchange has
	// answered once, so that wrong credentials cost one failed login,
	// not one per request in flight.
	ProveFirst bool
	// GivenUp, when set, is the error an earlier run gave this exchange
	// up with (a refused login, kept until the credentials change):
	// every request fails with it at once, unsent.
	GivenUp *ExchangeError

	// Clock measures and waits out delays; nil is the real clock. Tests
	// inject a fake one so that back-offs take no real time. Per-attempt
	// timeouts always use real time (context.WithTimeout).
	Clock Clock
	// Rand returns a number in [0, 1) for jitter; nil is math/rand/v2.
	// It must be safe for concurrent use.
	Rand func() float64
}

// Clock is the time source of a Caller.
type Clock interface {
	Now() time.Time
	// Sleep waits d, or until ctx is done and then returns ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	switch {
	case p.MaxBackoff == NeverWait:
		p.MaxBackoff = 0 // any advised wait is longer
	case p.MaxBackoff <= 0:
		p.MaxBackoff = DefaultMaxBackoff
	}
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Parallelism <= 0 {
		p.Parallelism = soap.DefaultParallelism
	}
	if p.DownAfter <= 0 {
		p.DownAfter = DefaultDownAfter
	}
	if p.StallAfter <= 0 {
		p.StallAfter = DefaultStallAfter
	}
	if p.RecoverAfter <= 0 {
		p.RecoverAfter = DefaultRecoverAfter
	}
	if p.Clock == nil {
		p.Clock = realClock{}
	}
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	return p
}

// maxSends bounds the requests sent for one operation, answers asking to
// back off included: 3·MaxAttempts-2, so that MaxAttempts 1 still sends
// once.
func (p Policy) maxSends() int { return 3*p.MaxAttempts - 2 }

// delay is the jittered wait before retry n (n >= 1).
func (p Policy) delay(n int) time.Duration {
	ceiling := p.BaseDelay
	for i := 1; i < n && ceiling < p.MaxDelay; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, p.MaxDelay)
	return time.Duration(p.Rand() * float64(ceiling))
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
