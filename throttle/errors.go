package throttle

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
	return fmt.Sprintf("throttle: exchange asked to back off %s, more than -max-backoff %s; %s %s: %v",
		e.Wait, e.Max, e.Operation, what, e.Err)
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
	last := strings.TrimPrefix(e.Err.Error(), "throttle: "+e.Operation+": ")
	return fmt.Sprintf("throttle: %s failed %d times, giving up; last: %s", e.Operation, e.Attempts, last)
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
	return fmt.Sprintf("throttle: %s: no answer within %s", e.operation, e.after)
}

func (e *timeoutError) Unwrap() error { return context.DeadlineExceeded }

// overloadCodes are the answers that say "too many requests" rather than
// "something broke": they halve the concurrency limit.
var overloadCodes = map[string]bool{
	"ErrorServerBusy":                   true,
	"ErrorExceededConnectionCount":      true,
	"ServerBusyException":               true, // UM 2007's name for ErrorServerBusy
	"OverPlayOnPhoneCallLimitException": true,
}

// overloaded reports whether err is the exchange saying it is overloaded.
func overloaded(err error) bool {
	var (
		fault *soap.Fault
		rerr  *soap.ResponseError
		herr  *soap.HTTPError
	)
	switch {
	case errors.As(err, &fault):
		return overloadCodes[fault.Code] || overloadCodes[fault.ResponseCode] || overloadCodes[fault.ExceptionType]
	case errors.As(err, &rerr):
		return overloadCodes[rerr.Code]
	case errors.As(err, &herr):
		return herr.StatusCode == http.StatusServiceUnavailable || herr.StatusCode == http.StatusTooManyRequests
	}
	return false
}

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

// operationNames are the wire names of inner's two operations, so that an
// error about a request that was never sent still names it as the
// server would.
func operationNames(inner soap.Caller) (lookup, disconnect string) {
	if _, ok := inner.(*soap.UMClient); ok {
		return "GetCallInfo", "Disconnect"
	}
	return "GetPhoneCallInformation", "DisconnectPhoneCall"
}

// MaybeAppliedError marks a final error after which the operation may
// still have taken effect: an earlier attempt was sent and got no answer,
// even though the last one was answered (with a 503, say). For a
// disconnect, the call may have ended.
type MaybeAppliedError struct{ Err error }

func (e *MaybeAppliedError) Error() string {
	return e.Err.Error() + " (an earlier attempt got no answer)"
}

func (e *MaybeAppliedError) Unwrap() error { return e.Err }

// MaybeApplied reports that the operation may have taken effect.
func (e *MaybeAppliedError) MaybeApplied() bool { return true }

// maybeApplied wraps err when an earlier attempt went unanswered and err
// itself is an answer, which would otherwise hide that. A "not found"
// after an unanswered disconnect most likely means that disconnect worked.
func maybeApplied(err error, unanswered bool) error {
	if !unanswered || (!soap.Answered(err) && !errors.Is(err, soap.ErrCallNotFound)) {
		return err
	}
	return &MaybeAppliedError{Err: err}
}
