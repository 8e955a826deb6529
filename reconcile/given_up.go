package reconcile

import (
	"errors"

	"github.com/callctl/callctl/throttle"
)

// One exchange given up (credentials refused, down, overloaded) fails
// every call on it with the same long message. Each call's own line says
// only that, in a few words; the one diagnostic per exchange and cause
// carries the detail.

// shortError reads as msg and unwraps to the full error, so that
// errors.Is and errors.As still find the cause.
type shortError struct {
	msg string
	err error
}

func (e *shortError) Error() string { return e.msg }
func (e *shortError) Unwrap() error { return e.err }

// givenUp returns the exchange error in err, if the exchange was given up.
func givenUp(err error) *throttle.ExchangeError {
	var xe *throttle.ExchangeError
	if errors.As(err, &xe) {
		return xe
	}
	return nil
}

// shortIfGivenUp words err for one call as "what: exchange corp is down"
// when its exchange was given up, and returns nil otherwise.
func shortIfGivenUp(what string, err error) error {
	xe := givenUp(err)
	if xe == nil {
		return nil
	}
	return &shortError{msg: what + ": " + xe.Short(), err: err}
}

// groupCause is the grouping key of a failure on one exchange and the
// error its grouped message shows: an exchange given up is one cause
// whatever each call's error says, shown in full once.
func groupCause(exchange string, err error) (string, error) {
	if xe := givenUp(err); xe != nil {
		return exchange + "\x00given up\x00" + xe.Kind, xe
	}
	return causeKey(exchange, err.Error()), err
}
