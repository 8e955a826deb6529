package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/sync/errgroup"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/soap"
)

// DefaultParallelism is the number of requests in flight to one exchange
// unless told otherwise: Exchange 2010's default EWSMaxConcurrency.
const DefaultParallelism = 10

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
	var wg sync.WaitGroup
	for name, idx := range byExchange {
		caller := p.Callers[name]
		wg.Go(func() {
			var g errgroup.Group
			g.SetLimit(parallelism(p.Parallelism))
			for _, i := range idx {
				if ctx.Err() != nil {
					break
				}
				g.Go(func() error {
					changes[i], failures[i] = lookup(ctx, caller, calls[i], now)
					hk.PostLookup(changes[i], failures[i])
					return nil
				})
			}
			_ = g.Wait()
		})
	}
	wg.Wait()

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
	failed := 0
	for i, c := range changes {
		if failures[i] != nil {
			failed++
			if failed <= maxLookupDiagnostics {
				diags = append(diags, lookupDiagnostic(calls[i], failures[i]))
			}
			continue
		}
		plan.Changes = append(plan.Changes, c)
	}
	if failed > maxLookupDiagnostics {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "More calls failed to look up",
			Detail:   fmt.Sprintf("%d more calls could not be looked up; only the first %d are shown above. Nothing was disconnected.", failed-maxLookupDiagnostics, maxLookupDiagnostics),
		})
	}
	SortChanges(plan.Changes)
	return plan, diags
}

// maxLookupDiagnostics caps the per-call failures reported one by one: when
// an exchange is down, thousands of identical diagnostics help nobody.
const maxLookupDiagnostics = 10

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
		return ch, fmt.Errorf("reconcile: no client for exchange %q", call.Exchange)
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

func lookupDiagnostic(call *config.Call, err error) *hcl.Diagnostic {
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Failed to look up call",
		Detail: fmt.Sprintf("Could not read the state of %s (call id %q) on exchange %q: %s.\n\nNo call was disconnected. Check that the exchange is reachable and the credentials are right, then run the plan again.",
			call.Address, call.CallID, call.Exchange, strings.TrimSuffix(err.Error(), ".")),
	}
	if !call.DeclRange.Empty() || call.DeclRange.Filename != "" {
		r := call.DeclRange
		d.Subject = &r
	}
	return d
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
