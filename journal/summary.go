package journal

import (
	"time"
)

// StatusSentUnknown is the status of a call whose intent is on record but
// whose outcome is not: callctl stopped (was killed, or abandoned the apply)
// after the disconnect may have been sent. Check such calls by hand.
const StatusSentUnknown = "sent, outcome unknown"

// CallStatus is the last known state of one call in one run.
type CallStatus struct {
	Run      string
	Time     time.Time // of the call's latest line
	Address  string
	Exchange string
	CallID   string
	Reason   string
	// Status is the outcome (a reconcile.Outcome value such as
	// "disconnected") or StatusSentUnknown.
	Status string
	Error  string
}

// Unknown reports whether the call's disconnect may have been sent with no
// outcome recorded.
func (s CallStatus) Unknown() bool { return s.Status == StatusSentUnknown }

// Summarize reduces journal entries to each call's last known state, per
// run, in the order calls first appear.
func Summarize(entries []Entry) []CallStatus {
	type key struct{ run, address, exchange, callID string }
	var out []CallStatus
	index := map[key]int{}
	for _, e := range entries {
		if e.Event != EventIntent && e.Event != EventOutcome {
			continue
		}
		k := key{e.Run, e.Address, e.Exchange, e.CallID}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, CallStatus{Run: e.Run, Address: e.Address, Exchange: e.Exchange, CallID: e.CallID, Reason: e.Reason})
		}
		s := &out[i]
		s.Time = e.Time
		switch e.Event {
		case EventIntent:
			s.Status, s.Error = StatusSentUnknown, ""
		case EventOutcome:
			s.Status, s.Error = string(e.Outcome), e.Error
		}
	}
	return out
}
