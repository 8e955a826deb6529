package soap

import (
	"time"

	"github.com/callctl/callctl/authkind"
)

// AuthNone is the auth of an exchange without credentials; the other
// kinds are package authkind's.
const AuthNone = authkind.None

// Options configure a Caller for one exchange.
type Options struct {
	URL           string // full endpoint URL, e.g. https://mail/EWS/Exchange.asmx
	Dialect       string // a Dialect's name; "" is DefaultDialect
	ServerVersion string // EWS RequestServerVersion; default "Exchange2010"

	Auth        string               // AuthNone ("" too) or an authkind name
	Credentials authkind.Credentials // the auth block's arguments

	CAFile             string // PEM bundle of extra trusted CAs
	InsecureSkipVerify bool   // only ever from an explicit user setting

	// AllowInsecureHTTP permits the credentials of a kind that sends its
	// secret with every request (authkind.Kind.SecretOnWire: Basic,
	// bearer) over a plain http:// URL; New refuses that otherwise.
	AllowInsecureHTTP bool

	// Parallelism is the number of connections (and so of requests in
	// flight) to this exchange. Default 10.
	Parallelism int
	// Timeout bounds one HTTP exchange. Default vocab.DefaultTimeout.
	Timeout time.Duration
	// UserAgent is sent on every request.
	UserAgent string
}
