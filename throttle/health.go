package throttle

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/callctl/callctl/soap"
)

// health is what a Caller has learnt about its exchange as a whole, as
// opposed to one request: whether it has answered at all yet, and whether
// it has made no progress for so long that sending more requests would
// only waste the operator's time or, for refused credentials, lock the
// account.
//
// Until the exchange has answered once, requests go one at a time: with a
// wrong password the first one fails the login and the others are never
// sent, so a run costs the account one failed login, not one per call.
// An exchange that answers none of its first DownAfter requests is down.
//
// Once it has answered, failures and back-offs are not counted: random
// faults at any rate the exchange still makes progress through only slow
// the run down. It is given up only after no request has succeeded for
// the stall window, max(StallAfter, twice the longest back-off it asked
// for): so long that it is not throttling callctl but not serving it.
type health struct {
	mu sync.Mutex
	// proven is set once an answer other than a refusal of the
	// credentials has come back: the credentials work and the other
	// lanes may open.
	proven bool
	// proving is non-nil while one request is out to prove the exchange;
	// it is closed when that request is back.
	proving chan struct{}
	// fails counts attempts in a row without a usable answer before the
	// exchange has answered once.
	fails int
	// stalled is when the current stretch without a successful answer
	// began (zero while the exchange makes progress); failed and busy
	// count the failures and the advised back-offs in it.
	stalled      time.Time
	failed, busy int
	// longest is the longest back-off the exchange has asked for.
	longest time.Duration
	// fatal, once set, fails every later request at once.
	fatal *ExchangeError
	// proveFirst is Policy.ProveFirst.
	proveFirst bool
}

// enter waits until a request may go out: at once when the exchange has
// answered before; otherwise after the request proving it, or as the
// prover itself (prover true, which the caller must pass to record).
// It fails at once when the exchange has been given up.
func (h *health) enter(ctx context.Context) (prover bool, err error) {
	for {
		h.mu.Lock()
		switch {
		case h.fatal != nil:
			h.mu.Unlock()
			return false, h.fatal
		case h.proven || !h.proveFirst:
			h.mu.Unlock()
			return false, nil
		case h.proving == nil:
			h.proving = make(chan struct{})
			h.mu.Unlock()
			return true, nil
		}
		ch := h.proving
		h.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// leave ends a prover's turn without an answer to judge (its caller gave
// up), letting the next request prove the exchange.
func (h *health) leave(prover bool) {
	if !prover {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.endProving()
}

func (h *health) endProving() {
	if h.proving != nil {
		close(h.proving)
		h.proving = nil
	}
}

// record judges one attempt's outcome and returns the error that gives
// the exchange up, if this outcome did. transient and wait are
// soap.Retryable's verdict.
func (h *health) record(prover bool, err error, transient bool, wait time.Duration, now time.Time, p Policy) *ExchangeError {
	h.mu.Lock()
	defer h.mu.Unlock()
	if prover {
		h.endProving()
	}
	if h.fatal != nil {
		return h.fatal
	}
	if err == nil || !transient && !soap.AuthFailed(err) && !past(wait, p) {
		// Progress: any real answer, even "not found" or a refusal of
		// this one request, shows the exchange working.
		h.proven = true
		h.fails, h.failed, h.busy = 0, 0, 0
		h.stalled = time.Time{}
		return nil
	}
	if soap.AuthFailed(err) {
		h.fatal = &ExchangeError{Exchange: p.Exchange, Kind: KindAuth, For: h.stall(now), Err: err}
		return h.fatal
	}
	advised := soap.Overloaded(err) && wait > 0 && !past(wait, p)
	if advised || soapAnswer(err) && !past(wait, p) {
		// The exchange answered, so the credentials are good.
		h.proven = true
	}
	if h.stalled.IsZero() {
		h.stalled = now
	}
	if advised {
		h.busy++
		h.longest = max(h.longest, wait)
	} else {
		h.failed++
	}
	if !h.proven {
		// No answer, a refused connection, an HTTP 5xx page or a
		// back-off longer than callctl waits, before any answer.
		h.fails++
		if h.fails >= p.DownAfter {
			h.fatal = &ExchangeError{Exchange: p.Exchange, Kind: KindDown, For: now.Sub(h.stalled), Count: h.fails, Err: err}
		}
		return h.fatal
	}
	if window := h.window(p); now.Sub(h.stalled) >= window {
		kind := KindDown
		if h.busy > h.failed {
			kind = KindOverloaded
		}
		h.fatal = &ExchangeError{Exchange: p.Exchange, Kind: kind, For: now.Sub(h.stalled), Window: window,
			Count: h.failed + h.busy, Busy: h.busy, Err: err}
	}
	return h.fatal
}

// window is how long an exchange that has answered may go without a
// successful answer before it is given up: StallAfter, or twice the
// longest back-off it asked for when that is longer.
func (h *health) window(p Policy) time.Duration {
	return max(p.StallAfter, 2*h.longest)
}

// stall is how long the exchange has made no progress, as of now.
func (h *health) stall(now time.Time) time.Duration {
	if h.stalled.IsZero() {
		return 0
	}
	return now.Sub(h.stalled)
}

// soapAnswer reports whether err is an answer in SOAP, which only a
// working exchange sends.
func soapAnswer(err error) bool {
	var (
		fault *soap.Fault
		rerr  *soap.ResponseError
	)
	return errors.As(err, &fault) || errors.As(err, &rerr)
}

// past reports whether a server-advised wait is longer than callctl waits.
func past(wait time.Duration, p Policy) bool { return wait > p.MaxBackoff }

// Kinds of ExchangeError.
const (
	KindAuth       = "auth"       // the credentials were refused
	KindDown       = "down"       // no successful answer for the stall window, mostly failures
	KindOverloaded = "overloaded" // no successful answer for the stall window, mostly back-offs
)

// ExchangeError says an exchange has been given up for the rest of the
// run; every request to it fails with the same ExchangeError, so that the
// cause is reported once, not once per call. Err is the answer (or its
// absence) that settled it: errors.As finds the *soap.HTTPError of a
// refused login in it.
type ExchangeError struct {
	Exchange string        // the exchange's name in the policy, may be empty
	Kind     string        // KindAuth, KindDown or KindOverloaded
	For      time.Duration // without a successful answer
	// Window is the stall window that was exceeded; zero when the
	// exchange never answered (DownAfter requests in a row failed).
	Window time.Duration
	Count  int // failed attempts and back-offs in that time
	Busy   int // of Count, the back-offs the exchange asked for
	Err    error
}

func (e *ExchangeError) Error() string {
	name := "the exchange"
	if e.Exchange != "" {
		name = "exchange " + e.Exchange
	}
	switch e.Kind {
	case KindAuth:
		return fmt.Sprintf("authentication failed for %s: %v; no further request was sent to it, so that the account is not locked out", name, e.Err)
	case KindOverloaded:
		return fmt.Sprintf("%s is overloaded: no request succeeded for %s while it asked callctl to back off %d times (last answer: %v); its remaining calls were not tried. Run again later, or lower -parallelism",
			name, soap.Round(e.For), e.Busy, e.Err)
	}
	what := "failed"
	if errors.Is(e.Err, context.DeadlineExceeded) {
		what = "got no answer"
	}
	if e.Window > 0 {
		return fmt.Sprintf("%s is down: no request succeeded for %s, %d attempts %s (last: %v); its remaining calls were not tried. Check that the exchange is up and reachable, or give each request longer with -timeout",
			name, soap.Round(e.For), e.Count-e.Busy, what, e.Err)
	}
	return fmt.Sprintf("%s is down: %d requests in a row %s over %s (last: %v); its remaining calls were not tried. Check that the exchange is up and reachable, or give each request longer with -timeout",
		name, e.Count, what, soap.Round(e.For), e.Err)
}

func (e *ExchangeError) Unwrap() error { return e.Err }

// Short says what was given up, without the detail: the words for each
// call it stopped, while one message per exchange carries Error's detail.
func (e *ExchangeError) Short() string {
	name := "the exchange"
	if e.Exchange != "" {
		name = "exchange " + e.Exchange
	}
	switch e.Kind {
	case KindAuth:
		return "authentication failed for " + name
	case KindOverloaded:
		return name + " is overloaded"
	}
	return name + " is down"
}

// NotSentError is the error of a request that was never sent because its
// exchange had been given up (Err, an *ExchangeError). It reads exactly
// as Err, so that every call held up by one cause is reported together.
type NotSentError struct {
	Operation string
	Err       error
}

func (e *NotSentError) Error() string { return e.Err.Error() }
func (e *NotSentError) Unwrap() error { return e.Err }

// NotSent says the request never left callctl, so it cannot have taken
// effect.
func (e *NotSentError) NotSent() bool { return true }
