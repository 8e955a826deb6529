package authkind

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// None is the kind of an exchange without an auth block. It is not a
// registered Kind: it has no block, no arguments and sends nothing.
const None = "none"

// Attribute is one argument of an auth block. Every argument is a string.
type Attribute struct {
	Name string
	// Doc says what the value is, completing "Set NAME to ...".
	Doc string
	// Optional arguments may be left out; the others are required.
	Optional bool
	// Secret values are never shown, stored in a saved plan, or accepted
	// empty; a variable they read becomes sensitive.
	Secret bool
	// Account marks an account name such as `CORP\alice`, which config
	// checks for the control characters a single backslash in HCL gives.
	Account bool
	// Fingerprinted values are part of an exchange's fingerprint in a
	// saved plan: applying it with another value is refused. A Secret is
	// never fingerprinted.
	Fingerprinted bool
	// Path values name a file (a keytab, say): config takes a relative
	// one from the policy directory. The file is read when a client logs
	// in, never at load: validate needs no secrets.
	Path bool
}

// Credentials are an auth block's evaluated arguments, by name.
type Credentials map[string]string

// Kind is one way of authenticating, named by an auth block's label.
type Kind struct {
	Name       string
	Attributes []Attribute
	// ConnectionBound kinds authenticate a TCP connection, not a request
	// (NTLM: protocol.md §4.2). The client gives every request in flight
	// a connection of its own and keeps HTTP/2 off, so that a handshake's
	// legs share one connection and happen once per connection.
	ConnectionBound bool
	// ChannelBound kinds bind their logins to the TLS channel (Extended
	// Protection, protocol.md §4.6): over https the client adds the
	// channel binding of the connection's certificate, and a refused
	// login names that certificate.
	ChannelBound bool
	// SecretOnWire kinds send a replayable secret with every request
	// (Basic, bearer); over plain http they need allow_insecure_http.
	SecretOnWire bool
	// Transport returns the round tripper that authenticates the requests
	// it sends through base. For a ConnectionBound kind, base holds one
	// connection. An error says what the credentials lack.
	Transport func(base http.RoundTripper, c Credentials) (http.RoundTripper, error)
	// NewSession, when set, is called once per client (one exchange), and
	// its Session builds the transport of every connection instead of
	// Transport: for a kind whose connections share a login (Kerberos:
	// one ticket-granting ticket per run, and a refusal kept so that a
	// run costs at most one failed pre-authentication). Transport must
	// still be set; it checks the credentials without any network.
	NewSession func(c Credentials) (Session, error)
}

// Session is what the connections of one client share; see
// Kind.NewSession. Close forgets its tickets and stops its background
// work.
type Session interface {
	Transport(base http.RoundTripper) http.RoundTripper
	Close()
}

// LoginError is an error a kind's transport returns for a login that
// failed before, or instead of, an HTTP answer (a KDC's refusal, an
// unreachable KDC). LoginRefused reports whether the credentials were
// refused: soap then gives the exchange up at once (trying again would
// count toward a lockout); otherwise the request may be retried.
type LoginError interface {
	error
	LoginRefused() bool
}

// noBindingKey marks a request context whose login must carry no
// channel binding.
type noBindingKey struct{}

// WithoutChannelBinding returns a context under which ChannelBound kinds
// send no channel binding: for tests that show what a client without
// Extended Protection meets at a site that requires it.
func WithoutChannelBinding(ctx context.Context) context.Context {
	return context.WithValue(ctx, noBindingKey{}, true)
}

// ChannelBindingOff reports whether ctx came from WithoutChannelBinding.
func ChannelBindingOff(ctx context.Context) bool {
	off, _ := ctx.Value(noBindingKey{}).(bool)
	return off
}

// Attribute returns the kind's attribute called name.
func (k *Kind) Attribute(name string) (Attribute, bool) {
	for _, a := range k.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

var registry []*Kind

// Register adds a kind. It panics on a kind that is incomplete or
// registered twice: both are programming errors found by any test.
func Register(k *Kind) {
	switch {
	case k.Name == "" || k.Name == None || k.Transport == nil:
		panic(fmt.Sprintf("authkind: incomplete kind %q", k.Name))
	case Lookup(k.Name) != nil:
		panic(fmt.Sprintf("authkind: kind %q registered twice", k.Name))
	}
	for _, a := range k.Attributes {
		if a.Secret && a.Fingerprinted {
			panic(fmt.Sprintf("authkind: %s.%s is both secret and fingerprinted", k.Name, a.Name))
		}
	}
	registry = append(registry, k)
}

// Lookup returns the kind called name, nil for an unknown one (and for
// None, which has no Kind).
func Lookup(name string) *Kind {
	for _, k := range registry {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// Kinds returns every registered kind, in registration order.
func Kinds() []*Kind { return slices.Clone(registry) }

// Names returns the labels an auth block accepts, in registration order.
func Names() []string {
	names := make([]string, len(registry))
	for i, k := range registry {
		names[i] = k.Name
	}
	return names
}

// SecretNames returns the names of the arguments that are secret in any
// kind, sorted, for code that must find secrets before it knows the kind.
func SecretNames() []string {
	var names []string
	for _, k := range registry {
		for _, a := range k.Attributes {
			if a.Secret && !slices.Contains(names, a.Name) {
				names = append(names, a.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// Fingerprint describes what a saved plan binds an exchange's
// authentication to: the kind and its fingerprinted arguments, one
// "name=value" line each, never a secret.
func Fingerprint(kind string, c Credentials) string {
	var b strings.Builder
	b.WriteString("auth=" + kind)
	if k := Lookup(kind); k != nil {
		for _, a := range k.Attributes {
			if a.Fingerprinted {
				b.WriteString("\n" + a.Name + "=" + c[a.Name])
			}
		}
	}
	return b.String()
}

// Transport returns the round tripper for kind (None or "" for none),
// built on base.
func Transport(kind string, base http.RoundTripper, c Credentials) (http.RoundTripper, error) {
	if kind == "" || kind == None {
		return base, nil
	}
	k := Lookup(kind)
	if k == nil {
		return nil, fmt.Errorf("unknown auth %q (want %s)", kind, OrList(append([]string{None}, Names()...), false))
	}
	return k.Transport(base, c)
}

// OrList joins vals as `a, b or c`, each quoted when quote is set.
func OrList(vals []string, quote bool) string {
	var b strings.Builder
	for i, v := range vals {
		switch {
		case i == 0:
		case i == len(vals)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		if quote {
			v = fmt.Sprintf("%q", v)
		}
		b.WriteString(v)
	}
	return b.String()
}

// headerTransport sets a header on every request before sending it.
type headerTransport struct {
	next        http.RoundTripper
	name, value string
}

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	// A RoundTripper must not change the request it was given.
	r2 := r.Clone(r.Context())
	r2.Header.Set(h.name, h.value)
	return h.next.RoundTrip(r2)
}
