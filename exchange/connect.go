package exchange

import (
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// Connect builds a client for each exchange the given calls use, for one
// run, each with retries, back-off and adaptive concurrency (package
// throttle). A client that cannot be built (an unreadable CA file, say) is
// an error diagnostic on its exchange block. Close the Clients when done.
func Connect(policy *config.Policy, calls []*config.Call, opts Options) (*Clients, hcl.Diagnostics) {
	cs := newClients()
	diags := eachExchange(policy, calls, func(name string, ex *config.Exchange) *hcl.Diagnostic {
		sc, d := newSOAP(name, ex, opts)
		if d != nil {
			return d
		}
		cs.add(&Client{name: name, retry: wrap(name, sc, opts, nil), own: true})
		return nil
	})
	return cs, diags
}

// eachExchange calls f for each exchange the calls use, in name order,
// and reports the exchanges the policy does not declare.
func eachExchange(policy *config.Policy, calls []*config.Call, f func(string, *config.Exchange) *hcl.Diagnostic) hcl.Diagnostics {
	var names []string
	for _, c := range calls {
		if !slices.Contains(names, c.Exchange) {
			names = append(names, c.Exchange)
		}
	}
	slices.Sort(names)
	var diags hcl.Diagnostics
	for _, name := range names {
		ex := policy.Exchanges[name]
		if ex == nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Reference to undeclared exchange",
				Detail:   fmt.Sprintf("A call refers to exchange %q, which the policy does not declare.", name),
			})
			continue
		}
		if d := f(name, ex); d != nil {
			diags = append(diags, d)
		}
	}
	return diags
}

// newSOAP builds the SOAP client of one exchange block.
func newSOAP(name string, ex *config.Exchange, opts Options) (soap.Caller, *hcl.Diagnostic) {
	c, err := soap.New(SOAPOptions(ex, opts))
	if err != nil {
		r := ex.DeclRange
		return nil, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot set up exchange client",
			Detail:   fmt.Sprintf("The client for exchange %q could not be set up: %s.", name, err),
			Subject:  &r,
		}
	}
	return c, nil
}

// wrap puts a run's retry layer over a SOAP client. refused, when set,
// is a refused login from an earlier run with the same credentials: the
// run sends nothing.
func wrap(name string, sc soap.Caller, opts Options, refused *throttle.ExchangeError) *throttle.Caller {
	// The retry layer's concurrency ceiling matches the client's
	// connections, so no request waits for a lane while its attempt
	// timeout is already running.
	return throttle.Wrap(sc, throttle.Policy{
		Exchange:    name,
		ProveFirst:  true,
		Parallelism: opts.parallelism(),
		Timeout:     opts.Timeout,
		MaxBackoff:  opts.MaxBackoff,
		MaxAttempts: opts.MaxAttempts,
		GivenUp:     refused,
	})
}
