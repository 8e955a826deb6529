package json

import (
	"encoding/json"
	"testing"

	"github.com/callctl/callctl/reconcile"
)

// The wire format keeps its names whatever reconcile calls things.
func TestApplySummaryWire(t *testing.T) {
	v := reconcile.ApplyVerdict{
		Verdict:     reconcile.VerdictAbandoned,
		ApplyCounts: reconcile.ApplyCounts{Disconnected: 1, AlreadyEnded: 2, NotFound: 3, Failed: 4, LeftAlone: 5, NotStarted: 6, Unknown: 7},
		Interrupted: true, Abandoned: true,
	}
	b, err := json.Marshal(NewApplySummary(v))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"result":"abandoned","disconnected":1,"already_ended":2,"not_found":3,"failed":4,"left_alone":5,"not_started":6,"sent_outcome_unknown":7,"interrupted":true,"deadline_exceeded":false,"abandoned":true}`
	if string(b) != want {
		t.Errorf("apply_summary outcomes:\n got %s\nwant %s", b, want)
	}
}
