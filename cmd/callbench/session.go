package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/internal/memtune"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
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
	opts := exchsim.Options{
		Calls:    connectedCalls(ids),
		Auth:     o.auth,
		User:     simUser,
		Password: simPassword,
		Latency:  latency,
		Faults:   o.simFaults(),
	}
	if err := o.tls.serve(&opts); err != nil {
		return nil, err
	}
	srv, err := exchsim.NewServer(opts)
	if err != nil {
		return nil, err
	}
	return &session{o: o, srv: srv, fx: fx}, nil
}

func (s *session) Close() { s.srv.Close() }

// planRun is a plan made by the operation backend, as callctl makes it,
// with timings.
type planRun struct {
	planned  *operation.Planned
	plan     *reconcile.Plan
	load     time.Duration // policy load, call selection and client setup
	total    time.Duration // everything up to a finished plan
	failures int           // calls that could not be looked up
	err      error         // the first error diagnostic, if any
}

// close releases the run's clients.
func (r *planRun) close() { r.planned.Close() }

// makePlan does what `callctl plan -var-file=incident.vars` does before it
// renders, through the same backend: load, select, connect, plan. Hooks
// see every lookup.
func (s *session) makePlan(ctx context.Context, hooks ...reconcile.Hook) *planRun {
	req := &operation.Request{
		Dir:            s.fx.dir,
		Vars:           s.o.policyVars(s.srv.EWSURL()),
		VarFiles:       []string{s.fx.varFile},
		Environ:        []string{passwordEnv + "=" + simPassword},
		Connect:        exchange.Options{Parallelism: s.o.parallelism, Timeout: s.o.requestTimeout},
		MaxDisconnects: -1,
		Hooks:          hooks,
		// As callctl does unless GOGC is set.
		Memory: memtune.New(),
	}
	view := &quietView{}
	p, diags := operation.MakePlan(ctx, req, view)
	r := &planRun{planned: p, plan: p.Plan, load: p.Timings.Load, total: p.Timings.Total}
	if p.Plan != nil {
		r.failures = view.calls - len(p.Plan.Changes)
	}
	switch {
	case p.Clients == nil && diags.HasErrors():
		r.err = diagError("preparing the plan", diags)
	case view.calls != s.fx.calls:
		r.err = fmt.Errorf("callbench: the policy declares %d calls, want %d", view.calls, s.fx.calls)
	case diags.HasErrors():
		r.err = diagError("planning", diags)
	}
	return r
}

// quietView renders nothing: callbench reports figures, not plans. It
// notes how many calls the plan looks up.
type quietView struct {
	calls int
}

var _ operation.PlanView = (*quietView)(nil)

func (*quietView) Diagnostics(hcl.Diagnostics)           {}
func (*quietView) SetConfigSources(map[string]*hcl.File) {}
func (v *quietView) Planning(calls, _ int)               { v.calls = calls }
func (v *quietView) DataSourceRead(*config.DataSource)   {}
func (*quietView) Plan(*reconcile.Plan)                  {}
func (*quietView) SavedPlan(*operation.SavedPlan)        {}
func (*quietView) Retried(throttle.Stats)                {}
func (*quietView) Hooks() []reconcile.Hook               { return nil }

// applyRun is one apply of a plan.
type applyRun struct {
	res      *reconcile.ApplyResult
	duration time.Duration
}

// apply disconnects what the plan marks, with the plan's clients, as
// `callctl apply -auto-approve` does after its plan, less the journal.
func (s *session) apply(ctx context.Context, p *planRun) applyRun {
	start := time.Now()
	res := p.planned.Apply(ctx, ctx, operation.ApplyOptions{})
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
		CBTValid:       after.CBTValid - before.CBTValid,
		CBTMismatch:    after.CBTMismatch - before.CBTMismatch,
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
