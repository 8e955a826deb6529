package soap

import (
	"time"

	"github.com/callctl/callctl/vocab"
)

// Dialects.
const (
	DialectEWS    = vocab.DialectEWS
	DialectUM2007 = vocab.DialectUM2007
)

// Auth kinds.
const (
	AuthNone   = vocab.AuthNone
	AuthNTLM   = vocab.AuthNTLM
	AuthBasic  = vocab.AuthBasic
	AuthBearer = vocab.AuthBearer
	// AuthKerberos is HTTP Negotiate with Kerberos.
	AuthKerberos = "kerberos"
)

// Options configure a Caller for one exchange.
type Options struct {
	URL           string // full endpoint URL, e.g. https://mail/EWS/Exchange.asmx
	Dialect       string // DialectEWS (default) or DialectUM2007
	ServerVersion string // EWS RequestServerVersion; default "Exchange2010"

	Auth     string // AuthNone, AuthNTLM, AuthBasic or AuthBearer
	Username string // NTLM: DOMAIN\user or UPN; Basic: user name
	Password string
	Token    string // bearer token

	// Kerberos (AuthKerberos): Username is the client principal
	// (svc-callctl@CORP.EXAMPLE), and one of Password, Keytab or CCache
	// (a file path; with none of them, KRB5CCNAME) proves it.
	Keytab   string
	CCache   string
	Krb5Conf string // default KRB5_CONFIG, then /etc/krb5.conf
	SPN      string // default HTTP/ + the URL's host, not canonicalised

	CAFile             string // PEM bundle of extra trusted CAs
	InsecureSkipVerify bool   // only ever from an explicit user setting

	// AllowInsecureHTTP permits Basic or Bearer credentials over a plain
	// http:// URL. New refuses that combination otherwise, because both
	// send the secret itself on every request.
	AllowInsecureHTTP bool

	// Parallelism is the number of connections (and so of requests in
	// flight) to this exchange. Default 10.
	Parallelism int
	// Timeout bounds one HTTP exchange. Default vocab.DefaultTimeout.
	Timeout time.Duration
	// UserAgent is sent on every request.
	UserAgent string
}
