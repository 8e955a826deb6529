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

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/vocab"
)

// Defaults for zero Options fields.
const (
	DefaultServerVersion = vocab.DefaultServerVersion
	DefaultParallelism   = vocab.DefaultParallelism
	DefaultTimeout       = vocab.DefaultTimeout
	DefaultUserAgent     = "callctl-soap/1"
)

// New returns the Caller for opts.Dialect: for the EWS dialect an
// *EWSClient, for UM 2007 a *UMClient.
func New(opts Options) (Caller, error) {
	d := LookupDialect(opts.Dialect)
	if d == nil {
		return nil, fmt.Errorf("unknown dialect %q (want %s)", opts.Dialect, authkind.OrList(quoteAll(DialectNames()), false))
	}
	if err := checkDialectURL(d, opts.URL); err != nil {
		return nil, err
	}
	c, err := newClient(d, opts)
	if err != nil {
		return nil, err
	}
	return d.caller(c), nil
}

func quoteAll(vals []string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
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
	kind := authkind.Lookup(opts.Auth)
	if kind == nil && opts.Auth != "" && opts.Auth != AuthNone {
		return nil, fmt.Errorf("unknown auth %q (want %s)", opts.Auth, authkind.OrList(append([]string{AuthNone}, authkind.Names()...), false))
	}
	if kind != nil {
		// Built once to check the credentials before any request.
		if _, err := kind.Transport(http.DefaultTransport, opts.Credentials); err != nil {
			return nil, err
		}
		if u.Scheme == "http" && kind.SecretOnWire && !opts.AllowInsecureHTTP {
			return nil, fmt.Errorf("refusing to send %s credentials over plain http to %s: use an https:// URL or allow insecure http explicitly", opts.Auth, u.Host)
		}
	}
	tlsCfg, err := tlsConfig(opts)
	if err != nil {
		return nil, err
	}
	n := opts.Parallelism
	if n <= 0 {
		n = DefaultParallelism
	}
	lanes, err := newLanes(n, tlsCfg, kind, opts.Credentials)
	if err != nil {
		return nil, err
	}
	e := &endpoint{
		url:       u.String(),
		shownURL:  shownURL(u),
		lanes:     lanes,
		binds:     kind != nil && kind.ChannelBound,
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
		e.Binding = a.Binding
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
