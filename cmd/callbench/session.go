package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/soap"
)

// session is an in-process simulator loaded with live calls and the policy
// naming them.
type session struct {
	o   options
	srv *exchsim.Server
	fx  fixture
}

// startSession starts a simulator holding every id of fx as a Connected
// call, answering after latency.
func startSession(o options, fx fixture, ids []string, latency time.Duration) (*session, error) {
	srv, err := exchsim.NewServer(exchsim.Options{
		Calls:    connectedCalls(ids),
		Auth:     o.auth,
		User:     simUser,
		Password: simPassword,
		Latency:  latency,
		Faults:   o.simFaults(),
	})
	if err != nil {
		return nil, err
	}
	return &session{o: o, srv: srv, fx: fx}, nil
}

func (s *session) Close() { s.srv.Close() }

// planRun is what makePlan in cmd/callctl/internal/command produces, with
// timings.
type planRun struct {
	plan     *reconcile.Plan
	callers  map[string]soap.Caller
	load     time.Duration // policy load, call selection and client setup
	total    time.Duration // everything up to a finished plan
	failures int           // calls that could not be looked up
	err      error         // the first error diagnostic, if any
}

// close releases the run's clients.
func (r *planRun) close() { reconcile.CloseAll(r.callers) }

// makePlan does what `callctl plan -var-file=incident.vars` does before it
// renders: load, select, connect, plan. Hooks see every lookup.
func (s *session) makePlan(ctx context.Context, hooks ...reconcile.Hook) *planRun {
	r := &planRun{}
	start := time.Now()
	loader := config.NewLoader()
	policy, diags := loader.Load(s.fx.dir, config.LoadOptions{
		Vars:     []string{"ews_url=" + s.srv.EWSURL()},
		VarFiles: []string{s.fx.varFile},
		Environ:  []string{passwordEnv + "=" + simPassword},
	})
	if diags.HasErrors() {
		r.err = diagError("loading the policy", diags)
		return r
	}
	calls, diags := reconcile.SelectCalls(policy.Calls, nil, nil)
	if diags.HasErrors() {
		r.err = diagError("selecting calls", diags)
		return r
	}
	if len(calls) != s.fx.calls {
		r.err = fmt.Errorf("callbench: the policy declares %d calls, want %d", len(calls), s.fx.calls)
		return r
	}
	r.callers, diags = s.connect(policy, calls)
	if diags.HasErrors() {
		r.err = diagError("connecting", diags)
		return r
	}
	r.load = time.Since(start)
	planner := &reconcile.Planner{Callers: r.callers, Parallelism: s.o.parallelism, Hooks: hooks}
	r.plan, diags = planner.Plan(ctx, calls)
	r.total = time.Since(start)
	r.failures = len(calls) - len(r.plan.Changes)
	if diags.HasErrors() {
		r.err = diagError("planning", diags)
	}
	return r
}

// connect is reconcile.Connect, as callctl calls it.
func (s *session) connect(policy *config.Policy, calls []*config.Call) (map[string]soap.Caller, hcl.Diagnostics) {
	return reconcile.Connect(policy, calls, reconcile.ConnectOptions{Parallelism: s.o.parallelism, Timeout: s.o.requestTimeout})
}

// applyRun is one Applier.Apply over a plan.
type applyRun struct {
	res      *reconcile.ApplyResult
	duration time.Duration
}

// apply disconnects what the plan marks, with the plan's clients, as
// `callctl apply -auto-approve` does after its plan.
func (s *session) apply(ctx context.Context, p *planRun) applyRun {
	applier := &reconcile.Applier{Callers: p.callers, Parallelism: s.o.parallelism}
	start := time.Now()
	res := applier.Apply(ctx, ctx, p.plan)
	return applyRun{res: res, duration: time.Since(start)}
}

// diagError condenses diagnostics into an error: the first error in full,
// and how many more there were.
func diagError(doing string, diags hcl.Diagnostics) error {
	var first *hcl.Diagnostic
	n := 0
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			if first == nil {
				first = d
			}
			n++
		}
	}
	if first == nil {
		return nil
	}
	detail, _, _ := strings.Cut(first.Detail, "\n")
	msg := fmt.Sprintf("callbench: %s: %s: %s", doing, first.Summary, detail)
	if n > 1 {
		msg += fmt.Sprintf(" (and %d more errors)", n-1)
	}
	return fmt.Errorf("%s", msg)
}

// statsDelta is what the server saw between two snapshots.
func statsDelta(before, after exchsim.Stats) exchsim.Stats {
	d := exchsim.Stats{
		Requests:       map[string]int64{},
		HTTPRequests:   after.HTTPRequests - before.HTTPRequests,
		Connections:    after.Connections - before.Connections,
		NTLMHandshakes: after.NTLMHandshakes - before.NTLMHandshakes,
		AuthFailures:   after.AuthFailures - before.AuthFailures,
		Faults:         map[string]int64{},
	}
	for k, v := range after.Requests {
		if n := v - before.Requests[k]; n != 0 {
			d.Requests[k] = n
		}
	}
	for k, v := range after.Faults {
		if n := v - before.Faults[k]; n != 0 {
			d.Faults[k] = n
		}
	}
	return d
}
