package reconcile

import (
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// ConnectOptions are the run-wide settings of every exchange's client.
type ConnectOptions struct {
	// Parallelism is the number of connections, and of requests in
	// flight, per exchange. Default DefaultParallelism.
	Parallelism int
	// Timeout bounds each request; a hung server never hangs callctl.
	// Default throttle.DefaultTimeout.
	Timeout time.Duration
	// MaxBackoff is the longest server-advised wait (BackOffMilliseconds,
	// Retry-After) callctl accepts; calls asked to wait longer fail.
	// Default throttle.DefaultMaxBackoff.
	MaxBackoff time.Duration
	// MaxAttempts bounds tries per request. Default
	// throttle.DefaultMaxAttempts.
	MaxAttempts int
}

// ClientOptions converts an exchange block into the options for its client.
func ClientOptions(ex *config.Exchange, parallelism int) soap.Options {
	o := soap.Options{
		URL:                ex.URL,
		Dialect:            ex.Dialect,
		ServerVersion:      ex.ServerVersion,
		Auth:               soap.AuthNone,
		CAFile:             ex.CAFile,
		InsecureSkipVerify: ex.InsecureSkipVerify,
		AllowInsecureHTTP:  ex.AllowInsecureHTTP,
		Parallelism:        parallelism,
	}
	if a := ex.Auth; a != nil {
		o.Auth, o.Credentials = a.Kind, a.Credentials
	}
	return o
}

// Connect builds a client for each exchange the given calls use, each with
// retries, back-off and adaptive concurrency (package throttle). A client
// that cannot be built (an unreadable CA file, say) is an error diagnostic
// on its exchange block.
func Connect(policy *config.Policy, calls []*config.Call, opts ConnectOptions) (map[string]soap.Caller, hcl.Diagnostics) {
	parallelism := opts.Parallelism
	if parallelism <= 0 {
		parallelism = DefaultParallelism
	}
	var diags hcl.Diagnostics
	callers := map[string]soap.Caller{}
	var names []string
	for _, c := range calls {
		if !slices.Contains(names, c.Exchange) {
			names = append(names, c.Exchange)
		}
	}
	slices.Sort(names)
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
		co := ClientOptions(ex, parallelism)
		co.Timeout = opts.Timeout
		c, err := soap.New(co)
		if err != nil {
			r := ex.DeclRange
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot set up exchange client",
				Detail:   fmt.Sprintf("The client for exchange %q could not be set up: %s.", name, err),
				Subject:  &r,
			})
			continue
		}
		// The retry layer's concurrency ceiling matches the client's
		// connections, so no request waits for a lane while its attempt
		// timeout is already running.
		callers[name] = throttle.Wrap(c, throttle.Policy{
			Exchange:    name,
			ProveFirst:  true,
			Parallelism: parallelism,
			Timeout:     opts.Timeout,
			MaxBackoff:  opts.MaxBackoff,
			MaxAttempts: opts.MaxAttempts,
		})
	}
	return callers, diags
}

// CloseAll closes every client.
func CloseAll(callers map[string]soap.Caller) {
	for _, c := range callers {
		c.Close()
	}
}

// Waiting says, for each exchange with a request that has waited longer
// than after for its answer, what callctl is waiting for, e.g. "waiting
// for exchange corp: no answer for 20s, attempt 2 of 3". Progress
// displays show it so that a slow run says why it is slow.
func Waiting(callers map[string]soap.Caller, after time.Duration) []string {
	var out []string
	for _, c := range callers {
		tc, ok := c.(*throttle.Caller)
		if !ok {
			continue
		}
		if w, ok := tc.Waiting(after); ok {
			out = append(out, w.String())
		}
	}
	slices.Sort(out)
	return out
}
