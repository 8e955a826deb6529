package journal

import (
	"time"

	"github.com/callctl/callctl/reconcile"
)

// StatusSentUnknown is the status of a call whose intent is on record but
// whose outcome is not: callctl stopped (was killed, or abandoned the apply)
// after the disconnect may have been sent. Check such calls by hand.
const StatusSentUnknown = "sent, outcome unknown"

// StatusResolved is the status of a call whose disconnect was sent with no
// outcome recorded, but which a later run settled: it found the call over
// (a lookup or re-check), or disconnected it again. ResolvedBy and
// Resolution say which run and what it found.
const StatusResolved = "resolved"

// callKey names a call across runs: its address may be renamed between
// runs, but not its exchange and id.
type callKey struct{ exchange, callID string }

// CallStatus is the last known state of one call in one run.
type CallStatus struct {
	Run      string
	Time     time.Time // of the call's latest line
	Address  string
	Exchange string
	CallID   string
	Reason   string
	// Status is the outcome (a reconcile.Outcome value such as
	// "disconnected"), StatusSentUnknown or StatusResolved.
	Status string
	Error  string
	// ResolvedBy is the run that settled an unknown outcome, and
	// Resolution what it found: "disconnected", "already_ended" or
	// "not_found". Both are empty unless Status is StatusResolved.
	ResolvedBy string
	Resolution string
}

// Unknown reports whether the call's disconnect may have been sent with no
// outcome recorded.
func (s CallStatus) Unknown() bool { return s.Status == StatusSentUnknown }

// Resolved reports whether a later run settled an unknown outcome.
func (s CallStatus) Resolved() bool { return s.Status == StatusResolved }

// Summarize reduces journal entries to each call's last known state, per
// run, in the order calls first appear. A call left "sent, outcome
// unknown" is reported as StatusResolved when a line after its last one,
// from another run, settles it: an outcome of disconnected or
// already_ended, or a lookup that found it over. The journal is append-only,
// so a line after another was written after it.
func Summarize(entries []Entry) []CallStatus {
	type key struct{ run, address, exchange, callID string }
	type settler struct {
		pos         int
		run, result string
	}
	var out []CallStatus
	index := map[key]int{}
	lastPos := []int{}               // per status, its latest line's position
	settled := map[callKey]settler{} // per call, the latest settling line
	for pos, e := range entries {
		if r := settlement(e); r != "" {
			settled[callKey{e.Exchange, e.CallID}] = settler{pos, e.Run, r}
		}
		if e.Event != EventIntent && e.Event != EventOutcome {
			continue
		}
		k := key{e.Run, e.Address, e.Exchange, e.CallID}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, CallStatus{Run: e.Run, Address: e.Address, Exchange: e.Exchange, CallID: e.CallID, Reason: e.Reason})
			lastPos = append(lastPos, 0)
		}
		lastPos[i] = pos
		s := &out[i]
		s.Time = e.Time
		switch {
		case e.Event == EventIntent:
			s.Status, s.Error = StatusSentUnknown, ""
		case e.Outcome == reconcile.OutcomeUnknown:
			s.Status, s.Error = StatusSentUnknown, e.Error
		default:
			s.Status, s.Error = string(e.Outcome), e.Error
		}
	}
	for i := range out {
		s := &out[i]
		if !s.Unknown() {
			continue
		}
		if by, ok := settled[callKey{s.Exchange, s.CallID}]; ok && by.pos > lastPos[i] && by.run != s.Run {
			s.Status, s.ResolvedBy, s.Resolution = StatusResolved, by.run, by.result
		}
	}
	return out
}

// settlement returns what e found if it settles an earlier unknown outcome
// of its call, or "".
func settlement(e Entry) string {
	switch {
	case e.Event == EventOutcome && (e.Outcome == reconcile.OutcomeDisconnected || e.Outcome == reconcile.OutcomeAlreadyEnded):
		return string(e.Outcome)
	case e.Event == EventLookup && settles(e.Action):
		return string(e.Action)
	}
	return ""
}
