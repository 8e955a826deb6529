// Package throttle makes a soap.Caller behave under throttling and
// failure. Its Caller retries lookups and disconnects (both idempotent) on
// transient errors with jittered exponential back-off, holds every request
// to the exchange back while the server has asked for a pause, shrinks the
// number of requests in flight when the server says it is overloaded and
// grows it back as answers come, and bounds each attempt with its own
// timeout.
//
// Retrying a disconnect is safe: if an attempt that failed in transit had
// in fact ended the call, the retry is answered "call not found"
// (soap.ErrCallNotFound), which callers already treat as "already ended".
package throttle

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/callctl/callctl/soap"
)

// Caller is a soap.Caller that wraps another with retries, an
// exchange-wide back-off gate and an adaptive concurrency limit. It is
// safe for concurrent use; use one per exchange.
type Caller struct {
	inner                  soap.Caller
	p                      Policy
	lookupOp, disconnectOp string

	gate     gate
	limiter  *limiter
	health   health
	inflight inflight
	stats    counters
}

var _ soap.Caller = (*Caller)(nil)

// Wrap returns inner wrapped with the policy p.
func Wrap(inner soap.Caller, p Policy) *Caller {
	p = p.withDefaults()
	c := &Caller{inner: inner, p: p, limiter: newLimiter(p.Parallelism, p.RecoverAfter)}
	c.health.proveFirst = p.ProveFirst
	c.health.fatal = p.GivenUp
	c.lookupOp, c.disconnectOp = "GetPhoneCallInformation", "DisconnectPhoneCall"
	if n, ok := inner.(soap.OperationNamer); ok {
		c.lookupOp, c.disconnectOp = n.OperationNames()
	}
	return c
}

// CallInfo implements soap.Caller.
func (c *Caller) CallInfo(ctx context.Context, callID string) (soap.CallInfo, error) {
	var info soap.CallInfo
	err := c.do(ctx, c.lookupOp, func(ctx context.Context) error {
		var err error
		info, err = c.inner.CallInfo(ctx, callID)
		return err
	})
	return info, err
}

// Disconnect implements soap.Caller.
func (c *Caller) Disconnect(ctx context.Context, callID string) error {
	return c.do(ctx, c.disconnectOp, func(ctx context.Context) error {
		return c.inner.Disconnect(ctx, callID)
	})
}

// Close implements soap.Caller by closing the inner caller.
func (c *Caller) Close() { c.inner.Close() }

// do runs one operation with up to MaxAttempts attempts. Errors that are
// not transient, including soap.ErrCallNotFound, come back as the inner
// caller returned them.
func (c *Caller) do(ctx context.Context, op string, attempt func(context.Context) error) error {
	var last error
	unanswered := false // some attempt got no answer, so it may have taken effect
	// finish words every final error: after an unanswered attempt the
	// operation may have taken effect, whatever stopped the retries (a
	// back-off too long, the exchange given up, an interrupt).
	finish := func(err error) error { return maybeApplied(err, unanswered) }
	// n numbers the sends; tries counts those that count against
	// MaxAttempts, which an answer asking to back off does not: the
	// server is pacing callctl, not failing the call.
	tries := 0
	advised := false // the last answer named a back-off, which the gate enforces
	for n := 1; ; n++ {
		if n > 1 && !advised {
			if err := c.pause(ctx, c.p.delay(n-1)); err != nil {
				return finish(c.stopped(op, err, last))
			}
		}
		prover, err := c.health.enter(ctx)
		if err != nil {
			if xe := (*ExchangeError)(nil); errors.As(err, &xe) {
				if unanswered {
					return finish(xe)
				}
				// Never sent, or every attempt sent was answered: the
				// operation cannot have taken effect.
				return &NotSentError{Operation: op, Err: xe}
			}
			return finish(c.stopped(op, err, last))
		}
		gen, err := c.admit(ctx, op, last)
		if err != nil {
			c.health.leave(prover)
			if xe := (*ExchangeError)(nil); errors.As(err, &xe) && !unanswered {
				return &NotSentError{Operation: op, Err: xe}
			}
			return finish(err)
		}
		c.stats.attempts.Add(1)
		if n > 1 {
			c.stats.retries.Add(1)
		}
		actx, cancel := context.WithTimeout(ctx, c.p.Timeout)
		done := c.inflight.start(n)
		err = attempt(actx)
		done()
		if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
			// The attempt ran out of time, whatever the inner caller
			// made of that: go-ntlmssp reports a transport error in
			// the middle of a handshake as the server's first 401.
			err = &timeoutError{operation: operation(err, op), after: c.p.Timeout, err: err}
		}
		cancel()
		if err != nil && ctx.Err() != nil {
			// Our caller gave up; the error already says so, and says
			// nothing about the exchange.
			c.limiter.release()
			c.health.leave(prover)
			return finish(err)
		}
		transient, wait := c.heed(gen, err)
		advised = soap.Overloaded(err) && wait > 0
		if err == nil || !advised {
			tries++
		}
		fatal := c.health.record(prover, err, transient, wait, c.p.Clock.Now(), c.p)
		// Only now that the gate and the limit reflect this answer may
		// a queued request have the slot.
		c.limiter.release()
		if err == nil {
			return nil
		}
		last = err
		if (transient || fatal != nil) && !soap.Answered(err) && !soap.NeverSent(err) {
			// This attempt may have taken effect although no answer
			// said so: remembered for every way the retries end. (An
			// error that is not transient, such as "not found", is an
			// answer.)
			unanswered = true
		}
		switch {
		case fatal != nil:
			return finish(fatal)
		case !transient:
			return finish(err)
		case wait > c.p.MaxBackoff:
			return finish(&BackoffError{Operation: operation(err, op), Wait: wait, Max: c.p.MaxBackoff, Sent: true, Err: err})
		case tries >= c.p.MaxAttempts || n >= c.p.maxSends():
			return finish(&GiveUpError{Operation: operation(err, op), Attempts: n, Err: err})
		}
	}
}

// heed applies what an answer says about the exchange: advice to back
// off shuts the gate, overload lowers the limit (gently when the gate
// already enforces a back-off, by half when it does not), and any other answer
// (success, "not found", a refusal) shows the exchange keeping up. It
// returns soap.Retryable's verdict on err.
func (c *Caller) heed(gen uint64, err error) (transient bool, wait time.Duration) {
	if err == nil {
		c.limiter.succeeded()
		return false, 0
	}
	transient, wait = soap.Retryable(err)
	if wait > 0 {
		c.gate.closeUntil(c.p.Clock.Now().Add(wait), err)
	}
	switch {
	case soap.Overloaded(err):
		c.stats.throttled.Add(1)
		c.limiter.overloaded(gen, wait > 0)
	case !transient:
		c.limiter.succeeded()
	}
	return transient, wait
}

// admit waits until the gate is open and a slot is free, and takes the
// slot. last is the previous attempt's error, nil before the first.
func (c *Caller) admit(ctx context.Context, op string, last error) (uint64, error) {
	for {
		if err := c.waitGate(ctx, op, last); err != nil {
			return 0, err
		}
		gen, err := c.limiter.acquire(ctx)
		if err != nil {
			return 0, c.stopped(op, err, last)
		}
		// The exchange may have been given up while this request waited
		// for the gate or a slot: it is not sent after all.
		if xe := c.GivenUp(); xe != nil {
			c.limiter.release()
			return 0, xe
		}
		// Another request may have shut the gate while this one queued
		// for a slot; the gate binds requests not yet sent.
		if d, _ := c.gate.wait(c.p.Clock.Now()); d <= 0 {
			return gen, nil
		}
		c.limiter.release()
	}
}

// waitGate waits out the exchange-wide back-off, failing at once when it
// is longer than MaxBackoff.
func (c *Caller) waitGate(ctx context.Context, op string, last error) error {
	for {
		d, cause := c.gate.wait(c.p.Clock.Now())
		if d <= 0 {
			return nil
		}
		if d > c.p.MaxBackoff {
			return &BackoffError{Operation: op, Wait: d, Max: c.p.MaxBackoff, Sent: last != nil, Err: cause}
		}
		c.stats.gateWaits.Add(1)
		if err := c.pause(ctx, d); err != nil {
			return c.stopped(op, err, last)
		}
	}
}

// pause sleeps d on the policy's clock and adds the time to the stats.
func (c *Caller) pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	start := c.p.Clock.Now()
	err := c.p.Clock.Sleep(ctx, d)
	c.stats.backoff.Add(int64(c.p.Clock.Now().Sub(start)))
	return err
}

// stopped words a wait cut short by ctx.
func (c *Caller) stopped(op string, ctxErr, last error) error {
	if last == nil {
		return fmt.Errorf("%s not sent: %w", op, ctxErr)
	}
	return fmt.Errorf("%s not retried: %w; last answer: %w", op, ctxErr, last)
}

// Stats is what a Caller has done so far, for reporting.
type Stats struct {
	Attempts  int64 // requests handed to the inner caller
	Retries   int64 // of those, repeats after a transient failure
	Throttled int64 // answers saying the exchange is overloaded (busy, connection count, 503, 429)
	GateWaits int64 // times a request waited for an exchange-wide back-off
	// Backoff is the time requests spent waiting before being sent,
	// summed over requests (so it can exceed the run's wall time).
	Backoff time.Duration
}

// Add returns the sum of s and o.
func (s Stats) Add(o Stats) Stats {
	return Stats{
		Attempts:  s.Attempts + o.Attempts,
		Retries:   s.Retries + o.Retries,
		Throttled: s.Throttled + o.Throttled,
		GateWaits: s.GateWaits + o.GateWaits,
		Backoff:   s.Backoff + o.Backoff,
	}
}

// Answered reports whether the exchange has given an answer that shows it
// working (anything but silence, a refused login, an error page or a
// back-off past MaxBackoff).
func (c *Caller) Answered() bool {
	c.health.mu.Lock()
	defer c.health.mu.Unlock()
	return c.health.proven && c.health.fatal == nil
}

// Limit is how many requests may be in flight now (the adaptive limit).
func (c *Caller) Limit() int { return c.limiter.current() }

// GivenUp returns the error the exchange was given up with (credentials
// refused, down, overloaded), or nil while it is not.
func (c *Caller) GivenUp() *ExchangeError {
	c.health.mu.Lock()
	defer c.health.mu.Unlock()
	return c.health.fatal
}

// Stats returns a snapshot of the counters.
func (c *Caller) Stats() Stats {
	return Stats{
		Attempts:  c.stats.attempts.Load(),
		Retries:   c.stats.retries.Load(),
		Throttled: c.stats.throttled.Load(),
		GateWaits: c.stats.gateWaits.Load(),
		Backoff:   time.Duration(c.stats.backoff.Load()),
	}
}

type counters struct {
	attempts, retries, throttled, gateWaits, backoff atomic.Int64
}
