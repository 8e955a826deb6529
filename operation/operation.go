// Package operation runs callctl's operations, plan and apply, from a
// request to a result: load the policy, select the calls, connect, plan,
// check the guards, confirm (through a callback), then apply under the
// policy directory's lock with every disconnect journalled. The command
// layer only builds the Request and maps the Result to an exit code; views
// render what the operation reports. This package never prints.
package operation

import (
	"context"
	"path/filepath"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
)

// Request is what a plan needs to know: where the policy is, how to load
// it, which calls to act on and how to talk to the exchanges.
type Request struct {
	// Dir is the policy directory. Relative paths (var-files, the plan
	// file, the journal) resolve against it.
	Dir string
	// Vars are -var assignments ("name=value"), VarFiles -var-file paths
	// as given; Environ supplies CALLCTL_VAR_ variables and env().
	Vars     []string
	VarFiles []string
	// VarArgs are the same options in command-line order (a later one
	// wins, whichever kind); when set, a fresh load uses them instead.
	VarArgs []config.VarArg
	Environ []string
	// Targets and Excludes are -target and -exclude addresses.
	Targets  []string
	Excludes []string
	// Connect are the clients' settings.
	Connect exchange.Options
	// MaxDisconnects refuses a plan that would disconnect more calls;
	// negative means no cap.
	MaxDisconnects int
	// NotFound says whether a call the exchange does not know is a
	// warning (the default) or an error that refuses the plan.
	NotFound reconcile.NotFoundPolicy
	// Deadline bounds the whole run; 0 means none.
	Deadline time.Duration
	// Hooks are told of progress besides the view's own (logging, say).
	Hooks []reconcile.Hook
	// Version is callctl's version, recorded in plan files and journals.
	Version string
	// Interrupt, when done, ends loading the policy at once, whatever it
	// is doing (evaluating thousands of locals, reading an inventory,
	// running its command): the operation fails with "Interrupted while
	// loading the policy". Plan and apply use their own context when it
	// is nil; nil elsewhere never interrupts.
	Interrupt context.Context
	// Clients, when set, supplies the exchanges' clients and keeps them
	// after the operation, so that a long-running caller (apply -watch)
	// reuses connections, and their NTLM authentication, across runs.
	Clients ClientSource
	// Memory, when set, tunes the garbage collector while the policy
	// loads and for the life of the plan; nil leaves the process's
	// settings alone. The program decides (internal/memtune).
	Memory MemoryTuning

	// savedPlan is set while loading the policy of a saved plan.
	savedPlan bool
	// values are a saved plan's stored variable values.
	values map[string]cty.Value
	// offline loads without values or secrets (validate, console);
	// keepScope keeps the policy's evaluation scope (console).
	offline, keepScope bool
	// carryLookupFailures makes a plan whose lookups failed for some
	// calls (not interrupted) usable: an apply fails those calls one by
	// one and ends the others (reconcile.Plan.NotLookedUp).
	carryLookupFailures bool
	// noSnapshots says the plan will not be saved, so its data sources
	// need not keep what they read; see config.DataOptions.NoSnapshots.
	noSnapshots bool
}

// path resolves a path given on the command line against Dir.
func (r *Request) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(r.Dir, p)
}

// absDir is the policy directory as an absolute path, for records.
func (r *Request) absDir() string {
	if abs, err := filepath.Abs(r.Dir); err == nil {
		return abs
	}
	return r.Dir
}

// ClientSource supplies the clients for the exchanges the calls use, as
// exchange.Connect does (an *exchange.Pool, say, which keeps the
// connections when the operation closes its clients).
type ClientSource interface {
	Connect(policy *config.Policy, calls []*config.Call, opts exchange.Options) (*exchange.Clients, hcl.Diagnostics)
}

// SourceView is given the policy's parsed files, so that diagnostics can
// quote them.
type SourceView interface {
	SetConfigSources(map[string]*hcl.File)
}

// PlanView is what an operation reports through while it plans.
type PlanView interface {
	SourceView
	Diagnostics(hcl.Diagnostics)
	// DataSourceRead reports one data source read for the plan.
	DataSourceRead(*config.DataSource)
	// Planning announces the lookups about to run.
	Planning(calls, exchanges int)
	// Plan shows the plan.
	Plan(*reconcile.Plan)
	// SavedPlan reports the plan file plan -out wrote or apply is
	// carrying out, with its digest, for a reviewer to compare.
	SavedPlan(*SavedPlan)
	// Retried reports how much retrying and throttling the run met.
	Retried(throttle.Stats)
	// Hooks are passed to the planner and applier for progress output.
	Hooks() []reconcile.Hook
}

// ApplyView is what an apply reports through.
type ApplyView interface {
	PlanView
	// Applying announces the disconnects about to run.
	Applying(n int)
	// Applied shows the summary and the table of failures.
	Applied(*reconcile.ApplyResult)
	// Cancelled reports that approval was declined or interrupted.
	Cancelled()
}

// MemoryTuning tunes the garbage collector for a run's phases. Package
// operation never changes process-wide settings on its own: the program
// passes a tuning (internal/memtune.Tuner) or none.
type MemoryTuning interface {
	// Loading is called as the policy starts loading; what it returns,
	// once it is loaded.
	Loading() (restore func())
	// Plan is called with the number of calls once the policy is
	// loaded; what it returns, when the plan is closed.
	Plan(calls int) (restore func())
}

// Status is how an operation ended, for the exit code.
type Status int

const (
	// StatusOK: the plan was made, or every disconnect succeeded (or
	// there was nothing to do).
	StatusOK Status = iota
	// StatusError: the operation could not be carried out, or no
	// disconnect succeeded.
	StatusError
	// StatusPartial: some disconnects succeeded and some did not, or the
	// journal could not be completed.
	StatusPartial
	// StatusDeclined: the operator did not confirm.
	StatusDeclined
)

// Result is what an operation produced.
type Result struct {
	Status Status
	// Plan is the plan shown, when one was made or loaded.
	Plan *reconcile.Plan
	// Applied is the apply's outcome, when disconnects were attempted.
	Applied *reconcile.ApplyResult
}

// Planned is a plan and the clients it was made with, which an apply goes
// on to use. Close releases the clients.
type Planned struct {
	Plan    *reconcile.Plan
	Clients *exchange.Clients
	// PlanHash is the saved plan's digest (planfile.File.Digest), when
	// the plan came from a file: the journal records it.
	PlanHash string
	// Timings measure the stages, for callbench.
	Timings Timings

	req    *Request
	inputs inputs
	// restoreGC puts back the collector's target a large plan tightened
	// (see largePlanCalls); Close calls it, after rendering and saving.
	restoreGC func()
}

// Timings are how long a plan's stages took.
type Timings struct {
	// Load covers loading the policy, selecting calls and setting up
	// the clients; Total everything up to a finished plan.
	Load, Total time.Duration
}

// Close releases the plan's clients; it is safe on a nil Planned.
func (p *Planned) Close() {
	if p == nil {
		return
	}
	p.Clients.Close()
	if p.restoreGC != nil {
		p.restoreGC()
		p.restoreGC = nil
	}
}

// RetryStats adds up the retrying and throttling the plan's clients met.
func (p *Planned) RetryStats() throttle.Stats {
	if p == nil {
		return throttle.Stats{}
	}
	return p.Clients.Stats()
}

// withDeadline bounds ctx by d; 0 means no deadline.
func withDeadline(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
