package json

import (
	"time"

	"github.com/callctl/callctl/journal"
)

// JournalFormatVersion is the version of the show -journal -json
// document; the same rule as PlanFormatVersion applies.
const JournalFormatVersion = "1.0"

// JournalDocument is what "callctl show -journal -json" prints: each
// call's last known state per run, as the table shows it.
type JournalDocument struct {
	FormatVersion string `json:"format_version"`
	// Unknown counts calls whose disconnect was sent with no outcome
	// recorded and not resolved since; show exits 1 when it is not 0.
	Unknown int           `json:"sent_outcome_unknown"`
	Calls   []JournalCall `json:"calls"`
}

// JournalCall is one call's last known state in one run.
type JournalCall struct {
	Run      string    `json:"run"`
	Time     time.Time `json:"time"`
	Address  string    `json:"address"`
	Exchange string    `json:"exchange"`
	CallID   string    `json:"call_id"`
	Reason   string    `json:"reason,omitempty"`
	// Status is an outcome ("disconnected", "failed", ...), "sent,
	// outcome unknown" or "resolved".
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	ResolvedBy string `json:"resolved_by,omitempty"`
	Resolution string `json:"resolution,omitempty"`
}

// NewJournalDocument describes a journal's statuses.
func NewJournalDocument(statuses []journal.CallStatus) *JournalDocument {
	doc := &JournalDocument{FormatVersion: JournalFormatVersion, Calls: make([]JournalCall, 0, len(statuses))}
	for _, s := range statuses {
		if s.Unknown() {
			doc.Unknown++
		}
		doc.Calls = append(doc.Calls, JournalCall{
			Run: s.Run, Time: s.Time.UTC(), Address: s.Address, Exchange: s.Exchange, CallID: s.CallID, Reason: s.Reason,
			Status: s.Status, Error: s.Error, ResolvedBy: s.ResolvedBy, Resolution: s.Resolution,
		})
	}
	return doc
}
