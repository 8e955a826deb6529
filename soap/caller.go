// Package soap talks to Microsoft Exchange's phone-call web services. It
// speaks two dialects, EWS (Exchange 2010+: GetPhoneCallInformation,
// DisconnectPhoneCall, PlayOnPhone) and the Exchange 2007 Unified Messaging
// web service (GetCallInfo, Disconnect), behind one Caller interface so that
// the planner and applier never know which one they talk to.
package soap

import (
	"context"
	"errors"

	"github.com/callctl/callctl/vocab"
)

// Caller is everything reconcile needs from one exchange. Implementations
// are safe for concurrent use and bound their own concurrency.
type Caller interface {
	// CallInfo looks a call up. An id the server does not know (EWS
	// ErrorInvalidPhoneCallId, UM InvalidCallIdException) yields an error
	// for which errors.Is(err, ErrCallNotFound) is true.
	CallInfo(ctx context.Context, callID string) (CallInfo, error)
	// Disconnect ends a call. An unknown id yields ErrCallNotFound as above.
	Disconnect(ctx context.Context, callID string) error
	// Close releases idle connections.
	Close()
}

// CallInfo is a call's state as the server reported it. State and Cause
// keep the server's exact strings, also when they are not ones this
// package knows, so that a newer server's value is shown rather than lost.
type CallInfo struct {
	State           string // PhoneCallState (EWS) or CallState (UM 2007)
	Cause           string // ConnectionFailureCause (EWS) or EventCause (UM 2007)
	SIPResponseText string // EWS only, often absent
	SIPResponseCode int    // EWS only, 0 when absent
}

// Call states, as both dialects spell them.
const (
	StateIdle         = vocab.StateIdle
	StateConnecting   = vocab.StateConnecting
	StateAlerted      = vocab.StateAlerted
	StateConnected    = vocab.StateConnected
	StateDisconnected = vocab.StateDisconnected
	StateIncoming     = vocab.StateIncoming
	StateTransferring = vocab.StateTransferring
	StateForwarding   = vocab.StateForwarding
)

// Active reports whether a call in this state is still live and so would be
// disconnected. Unknown states are treated as live: ending a call that was
// already over is harmless, leaving a live one up is not.
func Active(state string) bool { return vocab.Active(state) }

// ErrCallNotFound is matched (errors.Is) by the error a server returns for a
// call id it does not know: expired, already ended, or never existed.
var ErrCallNotFound = errors.New("call id not known to the server")
