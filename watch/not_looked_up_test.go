package watch

import (
	"errors"
	"testing"

	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/reconcile"
)

// A cycle whose apply ended some calls while others could not be looked
// up is partial; one that could look none up is an error, and a watch
// stopped then exits 0, as before lookups were carried into the apply.
func TestCycleWithCallsNotLookedUp(t *testing.T) {
	notLookedUp := func(id string) *reconcile.Result {
		// As the planner makes them: the reason wrapped in a LookupError.
		return &reconcile.Result{Change: &reconcile.Change{CallID: id}, Outcome: reconcile.OutcomeFailed, Err: &reconcile.LookupError{Err: errors.New("HTTP 500")}}
	}
	ended := &reconcile.Result{Change: &reconcile.Change{CallID: "c-1"}, Outcome: reconcile.OutcomeDisconnected}
	tests := []struct {
		name       string
		res        *operation.Result
		wantResult string
		wantExit   operation.Status
	}{
		{"some ended", &operation.Result{Status: operation.StatusPartial, Applied: &reconcile.ApplyResult{Results: []*reconcile.Result{ended, notLookedUp("c-2")}}}, metrics.ResultPartial, operation.StatusPartial},
		{"none looked up", &operation.Result{Status: operation.StatusError, Applied: &reconcile.ApplyResult{Results: []*reconcile.Result{notLookedUp("c-1"), notLookedUp("c-2")}}}, metrics.ResultError, operation.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cycleResult(tt.res, false); got != tt.wantResult {
				t.Errorf("cycle result %q, want %q", got, tt.wantResult)
			}
			if got := exitStatus(tt.res); got != tt.wantExit {
				t.Errorf("exit status %v, want %v", got, tt.wantExit)
			}
		})
	}
}
