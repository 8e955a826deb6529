package json

import (
	"time"

	"github.com/callctl/callctl/reconcile"
)

// PlanFormatVersion is the version of the show -json document. Bump the
// minor version for additions, the major for changes or removals.
const PlanFormatVersion = "1.1"

// PlanDocument is what "callctl show -json PLANFILE" prints.
type PlanDocument struct {
	FormatVersion  string    `json:"format_version"`
	CallctlVersion string    `json:"callctl_version"`
	CreatedAt      time.Time `json:"created_at"`
	PolicyHash     string    `json:"policy_hash"`
	// PlanDigest is the digest plan -out, show, apply and the markdown
	// comment print, for a reviewer or a CI job to compare; SignedKeyID is
	// the plan key's id when the file is signed (show does not check the
	// signature). Since 1.1.
	PlanDigest  string        `json:"plan_digest,omitempty"`
	SignedKeyID string        `json:"signed_key_id,omitempty"`
	Summary     ChangeSummary `json:"summary"`
	Calls       []PlannedCall `json:"calls"`
}

// PlannedCall is one call of a plan document.
type PlannedCall struct {
	Call
	State      string    `json:"state,omitempty"`
	Cause      string    `json:"cause,omitempty"`
	Action     string    `json:"action"`
	ObservedAt time.Time `json:"observed_at"`
}

// NewPlanDocument describes a plan.
func NewPlanDocument(plan *reconcile.Plan, callctlVersion, policyHash string) *PlanDocument {
	doc := &PlanDocument{
		FormatVersion:  PlanFormatVersion,
		CallctlVersion: callctlVersion,
		CreatedAt:      plan.CreatedAt,
		PolicyHash:     policyHash,
		Summary:        NewChangeSummary(plan),
		Calls:          make([]PlannedCall, 0, len(plan.Changes)),
	}
	for _, c := range plan.Changes {
		doc.Calls = append(doc.Calls, PlannedCall{Call: NewCall(c), State: c.State, Cause: c.Cause, Action: string(c.Action), ObservedAt: c.ObservedAt})
	}
	return doc
}
