package reconcile

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"

	"github.com/callctl/callctl/vocab"
)

// DefaultParallelism is the number of requests in flight to one exchange
// unless told otherwise: Exchange 2010's default EWSMaxConcurrency.
const DefaultParallelism = vocab.DefaultParallelism

// Planner looks declared calls up and decides what to do with each.
type Planner struct {
	// Callers maps an exchange name to the client for it. Every call's
	// Exchange must have an entry.
	Callers map[string]soap.Caller
	// Parallelism bounds lookups in flight per exchange, so that one slow
	// exchange does not starve another. Default DefaultParallelism.
	Parallelism int
	Hooks       []Hook
	// Now stamps observations; time.Now when nil.
	Now func() time.Time
}

// Plan looks every call up and classifies it. Lookup failures other than
// "not found" fail the plan: each becomes an error diagnostic naming the
// call, its exchange and what the server answered, and the returned plan
// then holds only the calls that could be looked up.
func (p *Planner) Plan(ctx context.Context, calls []*config.Call) (*Plan, hcl.Diagnostics) {
	now := p.Now
	if now == nil {
		now = time.Now
	}
	hk := hooks(p.Hooks)
	plan := &Plan{CreatedAt: now().UTC()}
	changes := make([]*Change, len(calls))
	failures := make([]error, len(calls))

	byExchange := map[string][]int{}
	for i, c := range calls {
		byExchange[c.Exchange] = append(byExchange[c.Exchange], i)
	}
	perExchange(byExchange, p.Parallelism,
		func() bool { return ctx.Err() != nil },
		func(exchange string, i int) {
			changes[i], failures[i] = lookup(ctx, p.Callers[exchange], calls[i], now)
			hk.PostLookup(changes[i], failures[i])
		},
		func(int) {}) // an interrupted plan is refused below

	var diags hcl.Diagnostics
	if err := ctx.Err(); err != nil {
		d := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Plan interrupted",
			Detail:   "The plan was stopped before every call had been looked up. Nothing was disconnected.",
		}
		if errors.Is(err, context.DeadlineExceeded) {
			d.Summary = "Plan ran out of time"
			d.Detail = "The deadline for the run passed before every call had been looked up. Nothing was disconnected. Allow more time with -deadline, or raise -parallelism if the exchange allows it."
		}
		return plan, append(diags, d)
	}
	var failedCalls []*config.Call
	var failedErrs []error
	for i, c := range changes {
		if failures[i] != nil {
			failedCalls = append(failedCalls, calls[i])
			failedErrs = append(failedErrs, failures[i])
			plan.NotLookedUp = append(plan.NotLookedUp, &Result{Change: c, Outcome: OutcomeFailed, Err: notLookedUp(failures[i])})
			continue
		}
		plan.Changes = append(plan.Changes, c)
	}
	diags = append(diags, lookupDiagnostics(failedCalls, failedErrs, noCallDisconnected)...)
	diags = append(diags, unknownStateWarnings(plan.Changes)...)
	SortChanges(plan.Changes)
	sortResults(plan.NotLookedUp)
	return plan, diags
}

// What became of the calls, in a lookup diagnostic.
const (
	noCallDisconnected = "No call was disconnected."
	othersCarriedOn    = "Not disconnected; the apply went on with the other calls."
)

// maxNamedCalls caps how many calls one lookup diagnostic names: when an
// exchange is down, a list of thousands helps nobody.
const maxNamedCalls = 5

func parallelism(n int) int {
	if n <= 0 {
		return DefaultParallelism
	}
	return n
}

// lookup asks the exchange about one call and classifies the answer.
func lookup(ctx context.Context, caller soap.Caller, call *config.Call, now func() time.Time) (*Change, error) {
	ch := &Change{
		Address:  call.Address,
		Exchange: call.Exchange,
		CallID:   call.CallID,
		Reason:   call.Reason,
		Call:     call,

		OnlyInStates: call.OnlyInStates,
	}
	if caller == nil {
		return ch, fmt.Errorf("no client for exchange %q", call.Exchange)
	}
	info, err := caller.CallInfo(ctx, call.CallID)
	ch.ObservedAt = now().UTC()
	switch {
	case errors.Is(err, soap.ErrCallNotFound):
		ch.Action = ActionNotFound
		return ch, nil
	case err != nil:
		return ch, err
	}
	ch.State, ch.Cause = info.State, info.Cause
	ch.Action = Classify(info.State, call.OnlyInStates)
	return ch, nil
}

// Classify decides what to do with a call in the given state, honouring an
// only_in_states guard (empty means any live state).
func Classify(state string, onlyInStates []string) Action {
	if !soap.Active(state) {
		return ActionNone
	}
	if len(onlyInStates) > 0 && !slices.Contains(onlyInStates, state) {
		return ActionLeaveAlone
	}
	return ActionDisconnect
}

// lookupDiagnostics reports failed lookups, one diagnostic per exchange and
// distinct answer: when a server refuses everything, the operator reads
// the reason once, with the calls it affected.
// outcome is the sentence that says what became of the calls: the plan
// disconnected none, the apply ended the others.
func lookupDiagnostics(calls []*config.Call, errs []error, outcome string) hcl.Diagnostics {
	type group struct {
		exchange string
		err      error
		calls    []*config.Call
	}
	var groups []*group
	index := map[string]*group{}
	for i, c := range calls {
		err := errs[i]
		if m := (*throttle.MaybeAppliedError)(nil); errors.As(err, &m) {
			err = m.Err // a lookup changes nothing, so that it "may have taken effect" is no news
		}
		key, shown := groupCause(c.Exchange, err) // durations and attempt counts aside
		g := index[key]
		if g == nil {
			g = &group{exchange: c.Exchange, err: shown}
			index[key] = g
			groups = append(groups, g)
		}
		g.calls = append(g.calls, c)
	}
	var diags hcl.Diagnostics
	for _, g := range groups {
		first := g.calls[0]
		named := fmt.Sprintf("%s (call id %q)", first.Address, first.CallID)
		if n := len(g.calls); n > 1 {
			var more []string
			for _, c := range g.calls[1:min(n, maxNamedCalls)] {
				more = append(more, c.Address)
			}
			named = fmt.Sprintf("%d calls, %s, %s", n, named, strings.Join(more, ", "))
			if n > maxNamedCalls {
				named += fmt.Sprintf(" and %d more", n-maxNamedCalls)
			}
		}
		answer := strings.TrimSuffix(g.err.Error(), ".")
		d := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Failed to look up call",
			Detail: fmt.Sprintf("Could not read the state of %s on exchange %q: %s.\n\n"+outcome+" Check that the exchange is reachable and the credentials are right, then run the plan again.",
				named, g.exchange, answer),
		}
		var herr *soap.HTTPError
		var lerr authkind.LoginError
		switch {
		case errors.As(g.err, &herr) && herr.StatusCode == http.StatusUnauthorized:
			d.Summary = "Authentication failed"
			d.Detail = fmt.Sprintf("Exchange %q refused the credentials of its auth block (HTTP 401) when looking up %s: %s.\n\n"+outcome+" Check the username and password (or token) of exchange %q; a password read with env() is empty when that variable is not set.",
				g.exchange, named, answer, g.exchange)
		case errors.As(g.err, &lerr) && lerr.LoginRefused():
			// Refused before any request reached the exchange (a KDC's
			// answer): the error says what was refused and what to do.
			d.Summary = "Authentication failed"
			d.Detail = fmt.Sprintf("The auth block of exchange %q could not log in when looking up %s: %s.\n\n%s",
				g.exchange, named, answer, outcome)
		}
		if len(g.calls) > 1 {
			d.Summary = strings.Replace(d.Summary, "look up call", "look up calls", 1)
		}
		if r := first.DeclRange; r.Filename != "" {
			d.Subject = &r
		}
		diags = append(diags, d)
	}
	return diags
}

// knownStates are the call states both dialects document.
var knownStates = vocab.States()

// unknownStateWarnings flags calls in a state no documentation names: such
// a call is treated as live and will be disconnected, which the operator
// should know before confirming.
func unknownStateWarnings(changes []*Change) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range changes {
		if c.Action == ActionNotFound || slices.Contains(knownStates, c.State) {
			continue
		}
		d := &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Unknown call state",
			Detail: fmt.Sprintf("Exchange %q reported call %s (call id %q) in state %q, which callctl does not know. It is treated as live, so apply will disconnect it unless an only_in_states guard excludes it.",
				c.Exchange, c.Address, c.CallID, c.State),
		}
		if c.Call != nil && c.Call.DeclRange.Filename != "" {
			r := c.Call.DeclRange
			d.Subject = &r
		}
		diags = append(diags, d)
	}
	return diags
}

// SortChanges orders changes by address, then exchange, the order in which
// every view lists them.
func SortChanges(cs []*Change) {
	slices.SortFunc(cs, func(a, b *Change) int {
		if c := strings.Compare(a.Address, b.Address); c != 0 {
			return c
		}
		return strings.Compare(a.Exchange, b.Exchange)
	})
}
