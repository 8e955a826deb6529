package reconcile

import (
	"errors"
	"slices"
	"strings"

	"github.com/callctl/callctl/throttle"
)

// A call whose lookup failed after its attempts fails that call only: an
// apply ends the others and reports it as failed, "not looked up", with
// the reason. A plan with such calls is still refused: its purpose is to
// show every call's state, and it could not.

// LookupError is the Err of a result whose call could not be looked up,
// so nothing was sent for it.
type LookupError struct {
	Err error
}

func (e *LookupError) Error() string { return "not looked up: " + e.Err.Error() }
func (e *LookupError) Unwrap() error { return e.Err }

// notLookedUp words a failed lookup for the call's result: briefly when
// its exchange was given up (the grouped diagnostic says the rest).
func notLookedUp(err error) error {
	if m := (*throttle.MaybeAppliedError)(nil); errors.As(err, &m) {
		err = m.Err // a lookup changes nothing
	}
	le := &LookupError{Err: err}
	if short := shortIfGivenUp("not looked up", err); short != nil {
		return &shortError{msg: short.Error(), err: le}
	}
	return le
}

// NotLookedUp reports whether a result's call failed because it could not
// be looked up (no disconnect was attempted).
func NotLookedUp(r *Result) bool {
	var le *LookupError
	return r.Outcome == OutcomeFailed && errors.As(r.Err, &le)
}

// sortResults orders results by their changes' address, then exchange.
func sortResults(rs []*Result) {
	slices.SortFunc(rs, func(a, b *Result) int {
		if c := strings.Compare(a.Change.Address, b.Change.Address); c != 0 {
			return c
		}
		return strings.Compare(a.Change.Exchange, b.Change.Exchange)
	})
}
