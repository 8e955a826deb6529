package operation

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/reconcile"
)

// checkNotFound names the plan's calls the exchanges did not know, as
// warnings or, under -not-found=error, errors. Refused, the plan is still
// shown first (as for -max-disconnects), so the operator sees what was
// refused and why.
func checkNotFound(req *Request, plan *reconcile.Plan, view PlanView) hcl.Diagnostics {
	diags := reconcile.NotFoundDiagnostics(plan.Changes, req.NotFound)
	if diags.HasErrors() {
		view.Plan(plan)
	}
	return diags
}
