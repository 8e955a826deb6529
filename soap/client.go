package soap

import (
	"encoding/xml"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callctl/callctl/vocab"
)

// Defaults for zero Options fields.
const (
	DefaultServerVersion = vocab.DefaultServerVersion
	DefaultParallelism   = vocab.DefaultParallelism
	DefaultTimeout       = vocab.DefaultTimeout
	DefaultUserAgent     = "callctl-soap/1"
)

// New returns the Caller for opts.Dialect: "" or DialectEWS gives an
// *EWSClient, DialectUM2007 a *UMClient.
func New(opts Options) (Caller, error) {
	// Each case checks err itself: returning a nil *EWSClient as a
	// Caller would give the caller a non-nil interface.
	if err := checkDialectURL(opts); err != nil {
		return nil, err
	}
	switch opts.Dialect {
	case "", DialectEWS:
		c, err := NewEWS(opts)
		if err != nil {
			return nil, err
		}
		return c, nil
	case DialectUM2007:
		c, err := NewUM(opts)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	return nil, fmt.Errorf("unknown dialect %q (want %q or %q)", opts.Dialect, DialectEWS, DialectUM2007)
}

// shownURL is the endpoint as errors name it: without its query string,
// which may carry a key ("?api_key=..."), and without a fragment.
func shownURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.ForceQuery, c.Fragment, c.RawFragment = "", false, "", ""
	if u.RawQuery != "" || u.ForceQuery {
		return c.String() + "?…"
	}
	return c.String()
}

// newEndpoint checks opts and builds the shared transport half of a client.
func newEndpoint(opts Options) (*endpoint, error) {
	u, err := url.Parse(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("endpoint URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("endpoint URL %q must be an absolute http:// or https:// URL", u.Redacted())
	}
	if u.User != nil {
		// A URL ends up in error messages and logs; credentials do not
		// belong there.
		return nil, fmt.Errorf("endpoint URL %q must not carry credentials; set username and password instead", u.Redacted())
	}
	authorize, err := authorizer(opts)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "http" && (opts.Auth == AuthBasic || opts.Auth == AuthBearer) && !opts.AllowInsecureHTTP {
		return nil, fmt.Errorf("refusing to send %s credentials over plain http to %s: use an https:// URL or allow insecure http explicitly", opts.Auth, u.Host)
	}
	tlsCfg, err := tlsConfig(opts)
	if err != nil {
		return nil, err
	}
	n := opts.Parallelism
	if n <= 0 {
		n = DefaultParallelism
	}
	e := &endpoint{
		url:       u.String(),
		shownURL:  shownURL(u),
		lanes:     newLanes(n, tlsCfg, opts.Auth == AuthNTLM),
		authorize: authorize,
		userAgent: opts.UserAgent,
		timeout:   opts.Timeout,
	}
	if e.userAgent == "" {
		e.userAgent = DefaultUserAgent
	}
	if e.timeout <= 0 {
		e.timeout = DefaultTimeout
	}
	return e, nil
}

// authorizer returns what each request gets for opts.Auth. For NTLM the
// credentials go in as Basic for the Negotiator to pick up and replace;
// it never sends them as Basic (AllowBasicAuth stays false).
func authorizer(opts Options) (func(*http.Request), error) {
	switch opts.Auth {
	case "", AuthNone:
		return func(*http.Request) {}, nil
	case AuthNTLM, AuthBasic:
		if opts.Username == "" {
			return nil, fmt.Errorf("%s authentication needs a username", opts.Auth)
		}
		user, pass := opts.Username, opts.Password
		return func(r *http.Request) { r.SetBasicAuth(user, pass) }, nil
	case AuthBearer:
		if opts.Token == "" {
			return nil, fmt.Errorf("bearer authentication needs a token")
		}
		value := "Bearer " + opts.Token
		return func(r *http.Request) { r.Header.Set("Authorization", value) }, nil
	}
	return nil, fmt.Errorf("unknown auth %q (want %s, %s, %s or %s)", opts.Auth, AuthNone, AuthNTLM, AuthBasic, AuthBearer)
}

// decodeAnswer turns an HTTP answer into the expected response element
// (content, named want), a *Fault, an *HTTPError or a *MalformedError.
//
// Any status may carry a SOAP fault (EWS uses 500) or the response
// element. A 2xx answer must be a SOAP envelope; a non-2xx one with
// neither is an HTTPError, so that an IIS error page or a 401 is reported
// as what it is.
func decodeAnswer(op string, a *answer, want xml.Name, content any) error {
	ok := a.StatusCode >= 200 && a.StatusCode < 300
	if !ok && !looksLikeXML(a) {
		return newHTTPError(op, a)
	}
	body := responseBody{Want: want, Content: content}
	if err := decodeEnvelope(a.Body, &body); err != nil {
		if !ok {
			return newHTTPError(op, a)
		}
		return &MalformedError{Operation: op, StatusCode: a.StatusCode, Err: err}
	}
	switch {
	case body.Fault != nil:
		return body.Fault.toFault(op, a.StatusCode)
	case body.Found:
		// Whatever the status, an EWS ResponseClass="Error" in it is the
		// best account of what went wrong; parsers call successStatus
		// before reporting success.
		return nil
	case !ok:
		return newHTTPError(op, a)
	}
	return &MalformedError{Operation: op, StatusCode: a.StatusCode,
		Err: fmt.Errorf("no %s element in the SOAP body", want.Local)}
}

// successStatus refuses to report success for a non-2xx answer, even
// one whose body looks like a successful response.
func successStatus(op string, a *answer) error {
	if a.StatusCode < 200 || a.StatusCode > 299 {
		return newHTTPError(op, a)
	}
	return nil
}

// looksLikeXML says whether a non-2xx body is worth parsing for a fault.
func looksLikeXML(a *answer) bool {
	if mt, _, err := mime.ParseMediaType(a.Header.Get("Content-Type")); err == nil {
		if mt == "text/xml" || mt == "application/xml" || mt == "application/soap+xml" {
			return true
		}
	}
	return strings.HasPrefix(strings.TrimSpace(string(a.Body[:min(len(a.Body), 64)])), "<?xml")
}

func newHTTPError(op string, a *answer) *HTTPError {
	e := &HTTPError{
		Operation:   op,
		StatusCode:  a.StatusCode,
		Status:      a.Status,
		ContentType: a.Header.Get("Content-Type"),
		Snippet:     bodySummary(a.Body, a.Header.Get("Content-Type")),
		RetryAfter:  parseRetryAfter(a.Header.Get("Retry-After"), time.Now()),
	}
	if a.StatusCode == http.StatusUnauthorized {
		for _, v := range a.Header.Values("WWW-Authenticate") {
			// Only the scheme: a challenge token means nothing to a
			// reader and would make the message unstable.
			scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
			e.Authenticate = append(e.Authenticate, sanitize(scheme, 40))
		}
	}
	return e
}

// checkXMLText refuses a value that XML 1.0 cannot carry. encoding/xml
// would silently replace such characters, and a call id must reach the
// server byte for byte or not at all.
func checkXMLText(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", what)
	}
	for _, r := range s {
		if !(r == 0x09 || r == 0x0A || r == 0x0D ||
			r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return fmt.Errorf("%s contains the character %U, which XML cannot carry", what, r)
		}
	}
	return nil
}

// Well-known endpoint paths, to catch a dialect that does not match its URL.
const (
	ewsPath = "/ews/exchange.asmx"
	umPath  = "/unifiedmessaging/service.asmx"
)

// checkDialectURL refuses a URL that is plainly the other dialect's
// endpoint: every request would otherwise fail with an answer that does
// not say why.
func checkDialectURL(opts Options) error {
	u, err := url.Parse(opts.URL)
	if err != nil {
		return nil // newEndpoint words this
	}
	path := strings.ToLower(strings.TrimSuffix(u.Path, "/"))
	switch {
	case opts.Dialect == DialectUM2007 && strings.HasSuffix(path, ewsPath):
		return fmt.Errorf("the URL %s is an EWS endpoint (Exchange 2010 and later), but dialect is %q: set dialect = %q, or point url at the Exchange 2007 UM web service (…/UnifiedMessaging/Service.asmx)", u.Redacted(), opts.Dialect, DialectEWS)
	case (opts.Dialect == "" || opts.Dialect == DialectEWS) && strings.HasSuffix(path, umPath):
		return fmt.Errorf("the URL %s is the Exchange 2007 UM web service, but dialect is %q: set dialect = %q, or point url at EWS (…/EWS/Exchange.asmx)", u.Redacted(), DialectEWS, DialectUM2007)
	}
	return nil
}
