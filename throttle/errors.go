package throttle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/callctl/callctl/soap"
)

// BackoffError is returned when the exchange asked for a wait longer than
// Policy.MaxBackoff. Err is the answer that asked for it (errors.As finds
// the *soap.Fault, *soap.ResponseError or *soap.HTTPError in it).
type BackoffError struct {
	Operation string        // the operation held up, e.g. "GetPhoneCallInformation"
	Wait      time.Duration // the wait still ahead
	Max       time.Duration // Policy.MaxBackoff
	// Sent says the operation had been sent at least once, so it is
	// not being retried; otherwise it was never sent at all.
	Sent bool
	Err  error
}

func (e *BackoffError) Error() string {
	what := "not sent"
	if e.Sent {
		what = "not retried"
	}
	// The answer that asked for the wait may be another request's:
	// quote what it said without the operation it was about.
	said := strings.TrimPrefix(e.Err.Error(), operation(e.Err, "")+": ")
	return fmt.Sprintf("the exchange asked to back off %s, more than -max-backoff %s; %s %s: %s",
		soap.Round(e.Wait), soap.Round(e.Max), e.Operation, what, said)
}

func (e *BackoffError) Unwrap() error { return e.Err }

// GiveUpError is returned when every one of Policy.MaxAttempts attempts
// failed transiently. Err is the last attempt's error.
type GiveUpError struct {
	Operation string
	Attempts  int
	Err       error
}

func (e *GiveUpError) Error() string {
	// The last error usually names the same operation: say it once.
	last := strings.TrimPrefix(e.Err.Error(), e.Operation+": ")
	return fmt.Sprintf("%s failed %d times, giving up; last: %s", e.Operation, e.Attempts, last)
}

func (e *GiveUpError) Unwrap() error { return e.Err }

// timeoutError is an attempt that got no answer within Policy.Timeout.
// It unwraps to context.DeadlineExceeded only, which makes it transient,
// and not to the inner caller's error, which may be a misleading 401 (see
// Caller.do); that error's text is kept for the reader.
type timeoutError struct {
	operation string
	after     time.Duration
	err       error
}

func (e *timeoutError) Error() string {
	// The inner error only restates the timeout (or is the misleading
	// 401 described above), so it is not repeated.
	return fmt.Sprintf("%s: no answer within %s", e.operation, soap.Round(e.after))
}

func (e *timeoutError) Unwrap() error { return context.DeadlineExceeded }

// operation names the wire operation behind err, or fallback when err does
// not say.
func operation(err error, fallback string) string {
	var (
		fault *soap.Fault
		rerr  *soap.ResponseError
		herr  *soap.HTTPError
		merr  *soap.MalformedError
	)
	var op string
	switch {
	case errors.As(err, &fault):
		op = fault.Operation
	case errors.As(err, &rerr):
		op = rerr.Operation
	case errors.As(err, &herr):
		op = herr.Operation
	case errors.As(err, &merr):
		op = merr.Operation
	}
	if op == "" {
		return fallback
	}
	return op
}

// MaybeAppliedError marks a final error after which the operation may
// still have taken effect: an earlier attempt was sent and got no answer,
// even though the last one was answered (with a 503, say). For a
// disconnect, the call may have ended.
type MaybeAppliedError struct{ Err error }

func (e *MaybeAppliedError) Error() string {
	return e.Err.Error() + MaybeAppliedSuffix
}

// MaybeAppliedSuffix ends the text of every MaybeAppliedError.
const MaybeAppliedSuffix = " (an earlier attempt got no answer)"

func (e *MaybeAppliedError) Unwrap() error { return e.Err }

// MaybeApplied reports that the operation may have taken effect.
func (e *MaybeAppliedError) MaybeApplied() bool { return true }

// maybeApplied wraps err when an earlier attempt went unanswered and err
// itself is an answer, which would otherwise hide that. A "not found"
// after an unanswered disconnect most likely means that disconnect worked.
func maybeApplied(err error, unanswered bool) error {
	var m *MaybeAppliedError
	if !unanswered || errors.As(err, &m) {
		return err
	}
	return &MaybeAppliedError{Err: err}
}
