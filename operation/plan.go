package operation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/internal/redact"
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
	if req.Memory != nil {
		defer req.Memory.Loading()()
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
	ctx := req.Interrupt
	if ctx == nil {
		ctx = context.Background()
	}
	if data.Context == nil {
		data.Context = ctx // an inventory command is killed on interrupt
	}
	opts := config.LoadOptions{
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
	}
	// Loading is evaluation and file reading that does not look at ctx
	// (thousands of locals, a slow disk): it runs aside, and an interrupt
	// ends the run at once, leaving it to be dropped with the process.
	type loaded struct {
		policy   *config.Policy
		diags    hcl.Diagnostics
		files    map[string]*hcl.File
		panicked any
	}
	done := make(chan loaded, 1)
	go func() {
		var l loaded
		defer func() {
			l.panicked = recover()
			done <- l
		}()
		l.policy, l.diags = loader.Load(req.Dir, opts)
		l.files = loader.Files()
	}()
	select {
	case l := <-done:
		if l.panicked != nil {
			panic(l.panicked) // for the program's own guard
		}
		view.SetConfigSources(l.files)
		return l.policy, l.diags
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Plan ran out of time",
				Detail:   "The deadline for the run passed while the policy was still loading (evaluating it, or reading its data sources). Nothing was looked up or disconnected. Allow more time with -deadline.",
			}}
		}
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Interrupted while loading the policy",
			Detail:   "The policy was still loading (evaluating it, or reading its data sources) when the interrupt came. Nothing was looked up or disconnected.",
		}}
	}
}

// LoadPolicy loads the request's policy without contacting any exchange,
// as validate does: it reads no inventory and runs no command, since it
// checks the policy, not the world. It needs no secrets and no values:
// unset variables, env() of an unset name and credentials are unknown,
// and everything else is still checked (config.LoadOptions.Offline).
func LoadPolicy(req *Request, view SourceView) (*config.Policy, hcl.Diagnostics) {
	r := *req
	r.offline = true
	policy, diags := loadPolicy(&r, req.Vars, req.VarFiles, config.DataOptions{Mode: config.DataSkip}, time.Time{}, view)
	// validate has nothing to go ahead with: a for_each element that
	// fails is an error here.
	return policy, append(diags, failedCallDiagnostics(policy)...)
}

// MakePlan loads the policy, selects the calls, connects, looks them up and
// applies the plan-level guards. The Planned it returns is never nil, and
// holds whatever was done before an error (a partial plan, say); the
// caller closes it.
func MakePlan(ctx context.Context, req *Request, view PlanView) (*Planned, hcl.Diagnostics) {
	p, diags := makePlan(ctx, req, view)
	// Connection and lookup errors quote servers and settings: none
	// shows a secret value the policy knows of.
	return p, p.secrets().Diagnostics(diags)
}

// secrets are the policy's secret values, for masking; nil before a
// policy was loaded.
func (p *Planned) secrets() *redact.Secrets {
	if p == nil || p.inputs.policy == nil {
		return nil
	}
	return p.inputs.policy.Secrets
}

func makePlan(ctx context.Context, req *Request, view PlanView) (*Planned, hcl.Diagnostics) {
	start := time.Now()
	p := &Planned{req: req, inputs: inputs{vars: req.Vars, varFiles: req.VarFiles, targets: req.Targets, excludes: req.Excludes, maxDisconnects: req.MaxDisconnects}}
	loadReq := *req
	if loadReq.Interrupt == nil {
		loadReq.Interrupt = ctx
	}
	policy, diags := loadPolicy(&loadReq, req.Vars, req.VarFiles, config.DataOptions{NoSnapshots: req.noSnapshots}, time.Time{}, view)
	if diags.HasErrors() {
		return p, diags
	}
	for _, ds := range policy.DataSources {
		view.DataSourceRead(ds)
	}
	p.inputs.policy = policy
	if req.Memory != nil {
		// Until Close, after the plan is rendered and saved.
		p.restoreGC = req.Memory.Plan(len(policy.Calls))
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
	view.Diagnostics(policy.Secrets.Diagnostics(append(diags, failedCallDiagnostics(policy)...))) // warnings and failed records, before the lookups start
	diags = nil
	if w, ok := view.(interface{ WaitingFrom(func() []string) }); ok {
		w.WaitingFrom(func() []string { return p.Clients.Waiting(waitingAfter) })
	}
	view.Planning(len(calls), p.Clients.Len())
	planner := &reconcile.Planner{Callers: p.Clients.Callers(), Parallelism: req.Connect.Parallelism, Hooks: append(view.Hooks(), req.Hooks...)}
	p.Plan, moreDiags = planner.Plan(ctx, calls)
	if p.Plan != nil {
		p.Plan.Protected = len(policy.Protected)
		p.Plan.FailedToLoad = len(policy.Failed)
	}
	p.Timings.Total = time.Since(start)
	if req.carryLookupFailures && ctx.Err() == nil && p.Plan != nil && len(p.Plan.NotLookedUp) > 0 {
		// The planner's errors, uninterrupted, are its failed lookups:
		// the apply reports them once, with its outcome, and goes on.
		moreDiags = warningsOnly(moreDiags)
	}
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

// warningsOnly drops the errors from diags.
func warningsOnly(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			out = append(out, d)
		}
	}
	return out
}

// failedCallDiagnostics are the errors of the for_each elements that
// failed on their own (config.Policy.Failed). A plan shows them and goes
// ahead with the other calls; the apply counts each as a failed call.
func failedCallDiagnostics(policy *config.Policy) hcl.Diagnostics {
	if policy == nil {
		return nil
	}
	var diags hcl.Diagnostics
	for _, f := range policy.Failed {
		diags = append(diags, f.Diagnostics...)
	}
	return diags
}
