// Package vocab holds the words every callctl package must agree on:
// call states and which of them are live, and the run-wide defaults.
// Dialects are package soap's registry (soap.Dialect), auth kinds package
// authkind's. It imports nothing of callctl, so that config,
// soap, reconcile, throttle, exchsim and the command line can all take
// them from here instead of writing their own copies.
package vocab

import (
	"slices"
	"time"
)

// Call states, as both dialects spell them (EWS PhoneCallState, UM 2007
// CallState).
const (
	StateIdle         = "Idle"
	StateConnecting   = "Connecting"
	StateAlerted      = "Alerted"
	StateConnected    = "Connected"
	StateDisconnected = "Disconnected"
	StateIncoming     = "Incoming"
	StateTransferring = "Transferring"
	StateForwarding   = "Forwarding"
)

var states = []string{
	StateIdle, StateConnecting, StateAlerted, StateConnected,
	StateDisconnected, StateIncoming, StateTransferring, StateForwarding,
}

// States returns every documented call state, in a fixed order.
func States() []string { return slices.Clone(states) }

// KnownState reports whether a state is one the dialects document.
func KnownState(state string) bool { return slices.Contains(states, state) }

// Active reports whether a call in this state is still live and so would
// be disconnected. Unknown states are treated as live: ending a call that
// was already over is harmless, leaving a live one up is not.
func Active(state string) bool {
	return state != StateIdle && state != StateDisconnected
}

// DefaultServerVersion is the EWS RequestServerVersion sent when an
// exchange block names none.
const DefaultServerVersion = "Exchange2010"

// Run-wide defaults, shared by the flags and the packages that apply them
// when left zero.
const (
	// DefaultParallelism is the number of requests in flight to one
	// exchange: Exchange 2010's default EWSMaxConcurrency.
	DefaultParallelism = 10
	// DefaultTimeout bounds one request.
	DefaultTimeout = 8 * time.Second
	// DefaultMaxBackoff is the longest server-advised wait accepted.
	DefaultMaxBackoff = 5 * time.Minute
)
