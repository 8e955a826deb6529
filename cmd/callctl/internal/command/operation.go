package command

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/soap"
)

// loadPolicy loads the policy in m.Dir with the given variables, showing
// the view every diagnostic's source.
func (m *Meta) loadPolicy(vars arguments.Vars, view interface {
	SetConfigSources(map[string]*hcl.File)
}) (*config.Policy, hcl.Diagnostics) {
	loader := config.NewLoader()
	varFiles := make([]string, len(vars.VarFiles))
	for i, f := range vars.VarFiles {
		varFiles[i] = m.path(f)
	}
	// Parsing a large var-file briefly holds its whole token stream and
	// syntax tree, the peak of a run's memory; a tighter GC target while
	// loading keeps that peak down (for 100,000 calls, about 200 MB to
	// 170 MB) for a little load time. A GOGC the user set wins.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(40))
	}
	policy, diags := loader.Load(m.Dir, config.LoadOptions{
		Vars:     vars.Vars,
		VarFiles: varFiles,
		Environ:  m.Streams.Environ,
	})
	view.SetConfigSources(loader.Files())
	return policy, diags
}

// planned is a fresh plan and the clients it was made with, which apply
// goes on to use.
type planned struct {
	policy   *config.Policy
	plan     *reconcile.Plan
	callers  map[string]soap.Caller
	planHash string // the saved plan's policy hash, when applying one
}

// makePlan loads the policy, selects calls, looks them up and applies the
// plan-level guards. It returns nil when it could not produce a plan; the
// diagnostics say why.
func (m *Meta) makePlan(ctx context.Context, args *arguments.Operation, view views.Operation) (*planned, hcl.Diagnostics) {
	policy, diags := m.loadPolicy(args.Vars, view)
	if diags.HasErrors() {
		return nil, diags
	}
	calls, moreDiags := reconcile.SelectCalls(policy.Calls, args.Targets, args.Excludes)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	callers, moreDiags := reconcile.Connect(policy, calls, args.ConnectOptions())
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		reconcile.CloseAll(callers)
		return nil, diags
	}
	view.Diagnostics(diags) // warnings, before the lookups start
	diags = nil
	if w, ok := view.(interface{ WaitingFrom(func() []string) }); ok {
		w.WaitingFrom(func() []string { return reconcile.Waiting(callers, waitingAfter) })
	}
	view.Planning(len(calls), len(callers))
	planner := &reconcile.Planner{Callers: callers, Parallelism: args.Parallelism, Hooks: m.hooks(view)}
	plan, moreDiags := planner.Plan(ctx, calls)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		reconcile.CloseAll(callers)
		return nil, diags
	}
	if n := plan.Summary().ToDisconnect; args.MaxDisconnects >= 0 && n > args.MaxDisconnects {
		view.Plan(plan)
		reconcile.CloseAll(callers)
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Plan exceeds -max-disconnects",
			Detail: fmt.Sprintf("This plan would disconnect %d calls, more than the %d allowed by -max-disconnects. Nothing was disconnected. Narrow the policy with -target or -exclude, or raise the cap if this many calls really must end.",
				n, args.MaxDisconnects),
		})
	}
	return &planned{policy: policy, plan: plan, callers: callers}, diags
}

// withDeadline bounds ctx by the -deadline flag; 0 means no deadline.
func withDeadline(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// hooks are the view's progress hooks plus logging.
func (m *Meta) hooks(view views.Operation) []reconcile.Hook {
	return append(view.Hooks(), logHook{m.Log})
}

// interrupts turns SIGINT/SIGTERM into two stages: the first cancels stop
// (start nothing new), the second cancels hard (abandon what is in flight).
// onStop runs on the first signal. release undoes the signal handling.
func interrupts(onStop func()) (stop, hard context.Context, release func()) {
	stop, stopCancel := context.WithCancel(context.Background())
	hard, hardCancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-sigs:
				n++
				if n == 1 {
					stopCancel()
					if onStop != nil {
						onStop()
					}
				} else {
					hardCancel()
				}
			case <-done:
				return
			}
		}
	}()
	return stop, hard, func() {
		signal.Stop(sigs)
		close(done)
		stopCancel()
		hardCancel()
	}
}

// waitingAfter is how long a request goes unanswered before the progress
// line says so.
const waitingAfter = 5 * time.Second
