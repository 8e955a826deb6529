package soap

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Dialect is one web service that ends calls: everything callctl knows
// about it, so that no other package spells a dialect's name, operation
// names, endpoint path or rules. Package config takes its validation
// rules from here, exchsim and callbench its names and paths.
//
// Adding a dialect is one file in this package (its requests, parsing and
// this interface) plus tests, and one entry in dialects.
type Dialect interface {
	// Name is the value of an exchange block's dialect argument.
	Name() string
	// Title names the service for people: "EWS (Exchange 2010 and later)".
	Title() string
	// EndpointPath is the service's usual URL path, such as
	// "/EWS/Exchange.asmx"; a URL ending in another dialect's path is
	// refused as a mismatch.
	EndpointPath() string
	// Operations are the wire names of its lookup and disconnect.
	Operations() (lookup, disconnect string)
	// ServerVersions lists the accepted RequestServerVersion values,
	// the default first; none when the service has no version header,
	// and then server_version is an error in its exchange block.
	ServerVersions() []string
	// Codes classifies its error codes (response codes, exception names).
	Codes() FaultCodes

	lookupRequest(version, callID string) ([]byte, error)
	parseLookup(a *answer) (CallInfo, error)
	disconnectRequest(version, callID string) ([]byte, error)
	parseDisconnect(a *answer) error
	// caller returns the exported client type for c.
	caller(c *client) Caller
}

// FaultCodes are a dialect's error codes by what they mean.
type FaultCodes struct {
	// NotFound: the call id is not known (ErrCallNotFound).
	NotFound []string
	// Overloaded: too many requests, as opposed to something broken.
	Overloaded []string
	// Transient: worth trying again later; includes Overloaded.
	Transient []string
}

// dialects is the registry, the default first.
var dialects = []Dialect{ewsDialect{}, umDialect{}}

// DefaultDialect is the dialect of an exchange block that names none.
const DefaultDialect = DialectEWS

// Dialects returns every dialect, the default first.
func Dialects() []Dialect { return slices.Clone(dialects) }

// DialectNames returns the names a dialect argument accepts.
func DialectNames() []string {
	names := make([]string, len(dialects))
	for i, d := range dialects {
		names[i] = d.Name()
	}
	return names
}

// LookupDialect returns the dialect called name ("" is the default), nil
// for an unknown one.
func LookupDialect(name string) Dialect {
	if name == "" {
		name = DefaultDialect
	}
	for _, d := range dialects {
		if d.Name() == name {
			return d
		}
	}
	return nil
}

// codeSet is the union of one kind of code over every dialect: an error
// does not carry the dialect it came from.
func codeSet(pick func(FaultCodes) []string) map[string]bool {
	set := map[string]bool{}
	for _, d := range dialects {
		for _, c := range pick(d.Codes()) {
			set[c] = true
		}
	}
	return set
}

var (
	callNotFoundCodes = codeSet(func(c FaultCodes) []string { return c.NotFound })
	overloadCodes     = codeSet(func(c FaultCodes) []string { return c.Overloaded })
	transientCodes    = codeSet(func(c FaultCodes) []string { return append(slices.Clone(c.Overloaded), c.Transient...) })
)

// client is a Caller for any dialect: one endpoint, the dialect's
// requests and parsers.
type client struct {
	ep      *endpoint
	d       Dialect
	version string
}

// CallInfo implements Caller with the dialect's lookup.
func (c *client) CallInfo(ctx context.Context, callID string) (CallInfo, error) {
	op, _ := c.d.Operations()
	payload, err := c.d.lookupRequest(c.version, callID)
	return roundTrip(ctx, c.ep, op, payload, err, c.d.parseLookup)
}

// Disconnect implements Caller with the dialect's disconnect.
func (c *client) Disconnect(ctx context.Context, callID string) error {
	_, op := c.d.Operations()
	payload, err := c.d.disconnectRequest(c.version, callID)
	_, err = roundTrip(ctx, c.ep, op, payload, err, noResult(c.d.parseDisconnect))
	return err
}

// Close implements Caller.
func (c *client) Close() { c.ep.lanes.close() }

// OperationNames implements OperationNamer.
func (c *client) OperationNames() (lookup, disconnect string) { return c.d.Operations() }

// Dialect returns the client's dialect.
func (c *client) Dialect() Dialect { return c.d }

// newClient builds the client of dialect d for opts.
func newClient(d Dialect, opts Options) (*client, error) {
	ep, err := newEndpoint(opts)
	if err != nil {
		return nil, err
	}
	c := &client{ep: ep, d: d}
	if versions := d.ServerVersions(); len(versions) > 0 {
		c.version = opts.ServerVersion
		if c.version == "" {
			c.version = versions[0]
		}
		if err := checkXMLText("server version", c.version); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// checkDialectURL refuses a URL that is plainly another dialect's
// endpoint: every request would otherwise fail with an answer that does
// not say why.
func checkDialectURL(d Dialect, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil // newEndpoint words this
	}
	path := strings.ToLower(strings.TrimSuffix(u.Path, "/"))
	for _, other := range dialects {
		if other == d || !strings.HasSuffix(path, strings.ToLower(other.EndpointPath())) {
			continue
		}
		return fmt.Errorf("the URL %s is the %s endpoint, but dialect is %q: set dialect = %q, or point url at the %s endpoint (…%s)",
			u.Redacted(), other.Title(), d.Name(), other.Name(), d.Title(), d.EndpointPath())
	}
	return nil
}
