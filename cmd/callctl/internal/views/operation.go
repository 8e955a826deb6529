package views

import (
	"context"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
)

// Operation is the view plan and apply render through.
type Operation interface {
	Diagnostics(hcl.Diagnostics)
	SetConfigSources(map[string]*hcl.File)
	// DataSourceRead reports one data source read for the plan.
	DataSourceRead(*config.DataSource)
	// Planning announces the lookups about to run.
	Planning(calls, exchanges int)
	// Plan shows the plan.
	Plan(*reconcile.Plan)
	// SavedPlan prints the digest of the plan file written or applied.
	SavedPlan(*operation.SavedPlan)
	// PlanNextStep tells what to do with a plan: saved to path (relative
	// to chdir, the -chdir given, "." if none), or not
	// saved (so apply may see other states).
	PlanNextStep(chdir, savedPath string)
	// Hooks are passed to the planner and applier for progress output.
	Hooks() []reconcile.Hook
	// Applying announces the disconnects about to run.
	Applying(n int)
	// Applied shows the summary and the table of failures.
	Applied(*reconcile.ApplyResult)
	// Stopping acknowledges a first interrupt, in the apply's phase.
	Stopping(operation.Phase)
	// Cancelled reports that approval was declined.
	Cancelled()
	// Confirm asks the operator, on the view's input, whether to
	// disconnect n calls; it declines when stop is done first.
	Confirm(stop context.Context, n int) (bool, hcl.Diagnostics)
	// Retried reports how much retrying and throttling the run met, if
	// any, so that an operator sees a struggling exchange.
	Retried(throttle.Stats)
}

var _ operation.ApplyView = Operation(nil)

// NewOperation returns the view for the given type; it panics on an unknown
// type, which is a programming error.
func NewOperation(vt arguments.ViewType, v *View) Operation {
	switch vt {
	case arguments.ViewHuman:
		return &OperationHuman{View: v}
	case arguments.ViewJSON:
		return NewOperationJSON(v)
	default:
		panic("views: unknown view type")
	}
}
