package operation

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/reconcile"
)

// PlanRequest is "callctl plan": a Request, and where to save the plan.
type PlanRequest struct {
	Request
	// Out is the file to save the plan to; empty means do not save.
	Out string
}

// Plan makes a plan, shows it and saves it when asked. Its Result's Plan is
// nil when no plan could be made; the view was told why.
func Plan(ctx context.Context, req *PlanRequest, view PlanView) *Result {
	// An interrupt during a plan just stops the lookups: nothing changes.
	ctx, cancel := withDeadline(ctx, req.Deadline)
	defer cancel()
	req.noSnapshots = req.Out == ""
	p, diags := MakePlan(ctx, &req.Request, view)
	defer p.Close()
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return &Result{Status: StatusError}
	}
	view.Diagnostics(diags)
	view.Plan(p.Plan)
	view.Retried(p.RetryStats())
	if req.Out != "" {
		sp, diags := p.Save(req.Out)
		if diags.HasErrors() {
			view.Diagnostics(diags)
			return &Result{Status: StatusError, Plan: p.Plan}
		}
		view.SavedPlan(sp)
	}
	return &Result{Status: StatusOK, Plan: p.Plan}
}

// loadPolicy loads the policy in req.Dir with the given variables, giving
// the view every diagnostic's source. A zero planTime means now (or
// config.PlanTimestampEnv).
func loadPolicy(req *Request, vars, varFiles []string, data config.DataOptions, planTime time.Time, view SourceView) (*config.Policy, hcl.Diagnostics) {
	loader := config.NewLoader()
	resolved := make([]string, len(varFiles))
	for i, f := range varFiles {
		resolved[i] = req.path(f)
	}
	// Parsing a large var-file briefly holds its whole token stream and
	// syntax tree, the peak of a run's memory; a tighter GC target while
	// loading keeps that peak down (for 100,000 calls, about 200 MB to
	// 170 MB) for a little load time.
	if req.LowGCWhileLoading {
		defer debug.SetGCPercent(debug.SetGCPercent(40))
		defer softMemoryLimit()()
	}
	if whileLoading != nil {
		whileLoading()
	}
	var varArgs []config.VarArg
	if !req.savedPlan {
		for _, a := range req.VarArgs {
			if a.File {
				a.Value = req.path(a.Value)
			}
			varArgs = append(varArgs, a)
		}
	}
	policy, diags := loader.Load(req.Dir, config.LoadOptions{
		Vars:      vars,
		VarFiles:  resolved,
		VarArgs:   varArgs,
		Environ:   policyEnviron(req.Environ),
		Secrets:   keySecrets(req.Environ),
		Data:      data,
		SavedPlan: req.savedPlan,
		// A saved plan is replayed at the instant it was made.
		PlanTimestamp: planTime,
		Offline:       req.offline,
		UnsetUnknown:  req.offline,
		KeepScope:     req.keepScope,
		Values:        req.values,
		ValuesFrom:    "the saved plan",
	})
	view.SetConfigSources(loader.Files())
	return policy, diags
}

// whileLoading, when set, is called just before the policy loads: a
// test's look at the collector's settings then.
var whileLoading func()

// A plan of largePlanCalls calls or more holds tens of megabytes of calls
// and changes for its whole run, and the collector's default target lets
// the heap grow to twice that: at 100,000 calls, 170 MB of RSS. A tighter
// target from the end of loading until the plan is closed keeps such a
// plan under 120 MB for about 15% more CPU; smaller plans, whose heap is
// small anyway, keep the default and its lower CPU per lookup.
var largePlanCalls = 50_000 // a variable for tests

const largePlanGCPercent = 40

// LoadPolicy loads the request's policy without contacting any exchange,
// as validate does: it reads no inventory and runs no command, since it
// checks the policy, not the world. It needs no secrets and no values:
// unset variables, env() of an unset name and credentials are unknown,
// and everything else is still checked (config.LoadOptions.Offline).
func LoadPolicy(req *Request, view SourceView) (*config.Policy, hcl.Diagnostics) {
	r := *req
	r.offline = true
	return loadPolicy(&r, req.Vars, req.VarFiles, config.DataOptions{Mode: config.DataSkip}, time.Time{}, view)
}

// MakePlan loads the policy, selects the calls, connects, looks them up and
// applies the plan-level guards. The Planned it returns is never nil, and
// holds whatever was done before an error (a partial plan, say); the
// caller closes it.
func MakePlan(ctx context.Context, req *Request, view PlanView) (*Planned, hcl.Diagnostics) {
	start := time.Now()
	p := &Planned{req: req, inputs: inputs{vars: req.Vars, varFiles: req.VarFiles, targets: req.Targets, excludes: req.Excludes, maxDisconnects: req.MaxDisconnects}}
	policy, diags := loadPolicy(req, req.Vars, req.VarFiles, config.DataOptions{NoSnapshots: req.noSnapshots}, time.Time{}, view)
	if diags.HasErrors() {
		return p, diags
	}
	for _, ds := range policy.DataSources {
		view.DataSourceRead(ds)
	}
	p.inputs.policy = policy
	if req.LowGCWhileLoading && len(policy.Calls) >= largePlanCalls {
		// From here until Close, after the plan is rendered and saved:
		// the heap is at its fullest just after loading and at the end.
		// The soft memory limit stays too: without it the lookups grow
		// the process to 166 MB at 100,000 calls, against 142 MB with it,
		// for 10-20% more CPU (callbench -mode inventory).
		old := debug.SetGCPercent(largePlanGCPercent)
		restoreLimit := softMemoryLimit()
		p.restoreGC = func() {
			restoreLimit()
			debug.SetGCPercent(old)
		}
	}
	calls, moreDiags := reconcile.SelectCalls(policy.Calls, req.Targets, req.Excludes)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return p, diags
	}
	if req.Clients != nil {
		p.Clients, moreDiags = req.Clients.Connect(policy, calls, req.Connect)
	} else {
		p.Clients, moreDiags = exchange.Connect(policy, calls, req.Connect)
	}
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return p, diags
	}
	p.Timings.Load = time.Since(start)
	view.Diagnostics(diags) // warnings, before the lookups start
	diags = nil
	if w, ok := view.(interface{ WaitingFrom(func() []string) }); ok {
		w.WaitingFrom(func() []string { return p.Clients.Waiting(waitingAfter) })
	}
	view.Planning(len(calls), p.Clients.Len())
	planner := &reconcile.Planner{Callers: p.Clients.Callers(), Parallelism: req.Connect.Parallelism, Hooks: append(view.Hooks(), req.Hooks...)}
	p.Plan, moreDiags = planner.Plan(ctx, calls)
	p.Timings.Total = time.Since(start)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return p, diags
	}
	diags = append(diags, checkNotFound(req, p.Plan, view)...)
	if diags.HasErrors() {
		return p, diags
	}
	if n := p.Plan.Summary().ToDisconnect; req.MaxDisconnects >= 0 && n > req.MaxDisconnects {
		view.Plan(p.Plan)
		return p, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Plan exceeds -max-disconnects",
			Detail: fmt.Sprintf("This plan would disconnect %d calls, more than the %d allowed by -max-disconnects. Nothing was disconnected. Narrow the policy with -target or -exclude, or raise the cap if this many calls really must end.",
				n, req.MaxDisconnects),
		})
	}
	return p, diags
}

// waitingAfter is how long a request goes unanswered before the progress
// line says so.
const waitingAfter = 5 * time.Second
