package reconcile

import (
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/soap"
)

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
		o.Auth, o.Username, o.Password, o.Token = a.Kind, a.Username, a.Password, a.Token
	}
	return o
}

// Connect builds a client for each exchange the given calls use. A client
// that cannot be built (an unreadable CA file, say) is an error diagnostic
// on its exchange block.
func Connect(policy *config.Policy, calls []*config.Call, parallelism int) (map[string]soap.Caller, hcl.Diagnostics) {
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
		c, err := soap.New(ClientOptions(ex, parallelism))
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
		callers[name] = c
	}
	return callers, diags
}

// CloseAll closes every client.
func CloseAll(callers map[string]soap.Caller) {
	for _, c := range callers {
		c.Close()
	}
}
