package authkind

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/callctl/callctl/internal/chanbind"
	"github.com/callctl/callctl/internal/krbhttp"
)

// Kerberos over HTTP Negotiate (RFC 4559, protocol.md §4.6): gokrb5 logs
// in and gets service tickets; krbhttp builds the SPNEGO token with the
// TLS channel binding in the authenticator checksum. Like NTLM, the login
// authenticates the connection, so each connection logs in once and later
// requests on it need no token.

// Kerberos is the kind's name, and the names of its own arguments.
const (
	Kerberos = "kerberos"
	Keytab   = "keytab"
	CCache   = "ccache"
	Krb5Conf = "krb5_conf"
	SPN      = "spn"
)

func init() {
	Register(&Kind{
		Name: Kerberos,
		Attributes: []Attribute{
			{Name: Username, Doc: "the Kerberos principal to log in as, e.g. svc-callctl@CORP.EXAMPLE (optional with a ccache)", Account: true, Fingerprinted: true, Optional: true},
			{Name: Password, Doc: "the principal's password", Secret: true, Optional: true},
			{Name: Keytab, Doc: "a keytab file holding the principal's keys", Path: true, Optional: true},
			{Name: CCache, Doc: "a credential cache file kinit filled (default KRB5CCNAME)", Path: true, Optional: true},
			{Name: Krb5Conf, Doc: "the krb5.conf naming the realm's KDCs (default KRB5_CONFIG, then /etc/krb5.conf)", Path: true, Optional: true},
			{Name: SPN, Doc: "the service principal of Exchange's HTTP service (default HTTP/ and the URL's host)", Fingerprinted: true, Optional: true},
		},
		ConnectionBound: true,
		ChannelBound:    true,
		Transport: func(base http.RoundTripper, c Credentials) (http.RoundTripper, error) {
			k, err := newKerberosLogin(c)
			if err != nil {
				return nil, err
			}
			return k.Transport(base), nil
		},
		NewSession: func(c Credentials) (Session, error) { return newKerberosLogin(c) },
	})
}

// kerberosDefaultConf is where krb5.conf is looked for when neither the
// auth block nor KRB5_CONFIG names one.
const kerberosDefaultConf = "/etc/krb5.conf"

// kerberosLogin is one exchange's Kerberos identity. It asks the KDC for a
// ticket-granting ticket at most once per run: a refused password or key
// is kept and returned to every later request, so a run costs the account
// at most one failed pre-authentication.
type kerberosLogin struct {
	user, realm string // the client principal, e.g. svc-callctl, CORP.EXAMPLE
	password    string
	keytabPath  string
	ccachePath  string
	confPath    string
	spn         string

	mu    sync.Mutex
	cfg   *krbconfig.Config
	cl    *client.Client
	fatal error // a refusal that trying again cannot fix
}

// newKerberosLogin checks the credentials; nothing is read or sent until
// the first request needs a token.
func newKerberosLogin(c Credentials) (*kerberosLogin, error) {
	k := &kerberosLogin{password: c[Password], keytabPath: c[Keytab], ccachePath: c[CCache], confPath: c[Krb5Conf], spn: c[SPN]}
	n := 0
	for _, s := range []string{c[Password], c[Keytab], c[CCache]} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return nil, errors.New("kerberos authentication takes one of password, keytab or ccache")
	}
	if n == 0 {
		cc := os.Getenv("KRB5CCNAME")
		if cc == "" {
			return nil, errors.New("kerberos authentication needs a password, a keytab or a ccache; none is set and KRB5CCNAME is empty")
		}
		k.ccachePath = cc
	}
	if rest, ok := strings.CutPrefix(k.ccachePath, "FILE:"); ok {
		k.ccachePath = rest
	} else if i := strings.Index(k.ccachePath, ":"); i > 0 && !strings.Contains(k.ccachePath[:i], "/") {
		return nil, fmt.Errorf("kerberos ccache %q is not a file: callctl reads FILE: credential caches only (kinit -c FILE:/path)", k.ccachePath)
	}
	if c[Username] == "" && k.ccachePath == "" {
		return nil, errors.New("kerberos authentication needs a username, e.g. svc-callctl@CORP.EXAMPLE")
	}
	k.user = c[Username]
	if i := strings.LastIndex(k.user, "@"); i >= 0 {
		k.user, k.realm = k.user[:i], k.user[i+1:]
	}
	if k.confPath == "" {
		k.confPath = kerberosDefaultConf
		if env := os.Getenv("KRB5_CONFIG"); env != "" {
			k.confPath = strings.Split(env, ":")[0]
		}
	}
	return k, nil
}

// KerberosError is a Kerberos login that failed before or instead of an
// HTTP answer: the KDC refused, could not be reached, or the service
// answered with a KRB-ERROR. Its text says what to do; it never holds a
// password, a key or a ticket.
type KerberosError struct {
	Code   int32  // the Kerberos error code, 0 if none
	Detail string // a sentence for the operator
	// Retryable is true when trying again later may work (the KDC was
	// unreachable); a refusal of the credentials is not retried.
	Retryable bool
}

func (e *KerberosError) Error() string { return "kerberos: " + e.Detail }

// LoginRefused implements LoginError.
func (e *KerberosError) LoginRefused() bool { return !e.Retryable }

// Transport implements Session.
func (k *kerberosLogin) Transport(base http.RoundTripper) http.RoundTripper {
	return negotiateKerberos{login: k, next: base}
}

// token returns the Negotiate token that logs a connection to host in,
// bound to binding.
func (k *kerberosLogin) token(host string, binding chanbind.Token) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fatal != nil {
		return nil, k.fatal
	}
	if k.cl == nil {
		cl, err := k.login()
		if err != nil {
			return nil, k.keep(err)
		}
		k.cl = cl
	}
	spn := k.spn
	if spn == "" {
		spn = "HTTP/" + host // as the URL names the host: no DNS canonicalisation
	}
	tok, err := krbhttp.InitToken(k.cl, spn, binding)
	if err != nil {
		return nil, k.keep(k.explain(err, spn))
	}
	return tok, nil
}

// keep remembers a failure that retrying cannot fix.
func (k *kerberosLogin) keep(err error) error {
	var ke *KerberosError
	if errors.As(err, &ke) && !ke.Retryable {
		k.fatal = err
	}
	return err
}

// Close implements Session.
func (k *kerberosLogin) Close() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cl != nil {
		k.cl.Destroy()
		k.cl = nil
	}
}

// login builds the gokrb5 client and, for a password or keytab, gets a
// ticket-granting ticket.
func (k *kerberosLogin) login() (*client.Client, error) {
	cfg, err := krbconfig.Load(k.confPath)
	if err != nil {
		return nil, &KerberosError{Detail: fmt.Sprintf("reading the Kerberos configuration %s: %v; set krb5_conf in the auth block (or KRB5_CONFIG) to a readable krb5.conf", k.confPath, unwrapPath(err))}
	}
	k.cfg = cfg
	if k.realm == "" && k.ccachePath == "" {
		k.realm = cfg.LibDefaults.DefaultRealm
		if k.realm == "" {
			return nil, &KerberosError{Detail: fmt.Sprintf("the username %q names no realm and %s sets no default_realm: write it as %s@REALM", k.user, k.confPath, k.user)}
		}
	}
	settings := []func(*client.Settings){client.DisablePAFXFAST(true)}
	var cl *client.Client
	switch {
	case k.ccachePath != "":
		cl, err = k.fromCCache(cfg, settings)
		if err != nil {
			return nil, err
		}
		return cl, nil
	case k.keytabPath != "":
		kt, err := keytab.Load(k.keytabPath)
		if err != nil {
			return nil, &KerberosError{Detail: fmt.Sprintf("reading the keytab %s: %v", k.keytabPath, unwrapPath(err))}
		}
		cl = client.NewWithKeytab(k.user, k.realm, kt, cfg, settings...)
	default:
		cl = client.NewWithPassword(k.user, k.realm, k.password, cfg, settings...)
	}
	if err := cl.Login(); err != nil {
		return nil, k.explain(err, k.spn)
	}
	return cl, nil
}

// fromCCache loads a credential cache that kinit filled, refusing one
// whose ticket-granting ticket has expired: callctl cannot renew it
// without the password, and the KDC's answer would not say which file
// to refresh.
func (k *kerberosLogin) fromCCache(cfg *krbconfig.Config, settings []func(*client.Settings)) (*client.Client, error) {
	cc, err := credentials.LoadCCache(k.ccachePath)
	if err != nil {
		return nil, &KerberosError{Detail: fmt.Sprintf("reading the credential cache %s: %v; run kinit, or set ccache (or KRB5CCNAME) to the cache kinit wrote", k.ccachePath, unwrapPath(err))}
	}
	who := cc.DefaultPrincipal.PrincipalName.PrincipalNameString() + "@" + cc.DefaultPrincipal.Realm
	if k.user != "" && (!strings.EqualFold(k.user, cc.DefaultPrincipal.PrincipalName.PrincipalNameString()) || k.realm != "" && !strings.EqualFold(k.realm, cc.DefaultPrincipal.Realm)) {
		return nil, &KerberosError{Detail: fmt.Sprintf("the credential cache %s holds tickets for %s, not for the username %s@%s; run kinit for that user or fix username", k.ccachePath, who, k.user, k.realm)}
	}
	tgt, ok := cc.GetEntry(types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", cc.DefaultPrincipal.Realm}})
	if !ok {
		return nil, &KerberosError{Detail: fmt.Sprintf("the credential cache %s holds no ticket-granting ticket for %s; run kinit %s", k.ccachePath, who, who)}
	}
	if now := time.Now(); !tgt.EndTime.After(now) {
		return nil, &KerberosError{Code: errorcode.KRB_AP_ERR_TKT_EXPIRED, Detail: fmt.Sprintf("the ticket-granting ticket of %s in the credential cache %s expired at %s (%s ago); run kinit %s again, or use a keytab so callctl can log in by itself",
			who, k.ccachePath, tgt.EndTime.UTC().Format(time.RFC3339), now.Sub(tgt.EndTime).Round(time.Second), who)}
	}
	if k.realm == "" {
		k.user, k.realm = cc.DefaultPrincipal.PrincipalName.PrincipalNameString(), cc.DefaultPrincipal.Realm
	}
	cl, err := client.NewFromCCache(cc, cfg, settings...)
	if err != nil {
		return nil, &KerberosError{Detail: fmt.Sprintf("the credential cache %s: %v", k.ccachePath, err)}
	}
	return cl, nil
}

// krbErrorCode finds the "(24) KDC_ERR_PREAUTH_FAILED" that gokrb5 puts
// in the text of a KDC's refusal (its errors carry no code otherwise).
var krbErrorCode = regexp.MustCompile(`KRB Error: \((\d+)\) ([A-Z_]+)`)

// explain turns a gokrb5 failure into a KerberosError that says what to
// do, naming the principal, SPN and files but never a secret.
func (k *kerberosLogin) explain(err error, spn string) error {
	var ke *KerberosError
	if errors.As(err, &ke) {
		return err
	}
	principal := k.user + "@" + k.realm
	source := "password"
	switch {
	case k.keytabPath != "":
		source = "key in the keytab " + k.keytabPath
	case k.ccachePath != "":
		source = "tickets in the credential cache " + k.ccachePath
	}
	text := err.Error()
	if m := krbErrorCode.FindStringSubmatch(text); m != nil {
		var code int32
		fmt.Sscan(m[1], &code)
		name := m[2]
		switch code {
		case errorcode.KDC_ERR_PREAUTH_FAILED:
			detail := fmt.Sprintf("the KDC refused the %s of %s (%s: pre-authentication failed). Each refusal counts toward locking the account, so callctl will not try again in this run; check the password", source, principal, name)
			if k.keytabPath != "" {
				detail = fmt.Sprintf("the KDC refused the key in the keytab %s for %s (%s): the keytab is stale (the password changed since it was made); make it again with ktpass or ktutil. callctl will not try again in this run", k.keytabPath, principal, name)
			}
			return &KerberosError{Code: code, Detail: detail}
		case errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN:
			return &KerberosError{Code: code, Detail: fmt.Sprintf("the KDC for %s knows no user %s (%s); check username", k.realm, principal, name)}
		case errorcode.KDC_ERR_S_PRINCIPAL_UNKNOWN:
			return &KerberosError{Code: code, Detail: fmt.Sprintf("the KDC knows no service principal %s in realm %s (%s); set spn = \"HTTP/<host>\" in the auth block to the SPN registered for Exchange (setspn -Q %s lists who has it), or use the host name the SPN was registered for in url", spn, k.realm, name, spn)}
		case errorcode.KRB_AP_ERR_SKEW:
			return &KerberosError{Code: code, Detail: fmt.Sprintf("the KDC says this machine's clock is more than the allowed skew (normally 5m) away from its own (%s); fix the time on this machine (NTP)", name)}
		case errorcode.KDC_ERR_CLIENT_REVOKED:
			return &KerberosError{Code: code, Detail: fmt.Sprintf("the KDC refuses %s: the account is disabled or locked out (%s)", principal, name)}
		case errorcode.KDC_ERR_KEY_EXPIRED:
			return &KerberosError{Code: code, Detail: fmt.Sprintf("the password of %s has expired (%s); set a new one", principal, name)}
		case errorcode.KDC_ERR_ETYPE_NOSUPP:
			return &KerberosError{Code: code, Detail: fmt.Sprintf("the KDC and callctl share no encryption type for %s (%s); enable AES for the account", principal, name)}
		}
		return &KerberosError{Code: code, Detail: fmt.Sprintf("the KDC refused the login of %s: %s", principal, name)}
	}
	if strings.Contains(text, "Networking_Error") || isNetError(err) {
		return &KerberosError{Retryable: true, Detail: fmt.Sprintf("cannot reach a KDC for realm %s (kdc in %s): %s; check that the KDC runs and that this machine can reach it on port 88 (or the port krb5.conf names)", k.realm, k.confPath, networkCause(text))}
	}
	return &KerberosError{Detail: fmt.Sprintf("logging %s in: %s", principal, clip(text, 300))}
}

func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

// networkCause keeps what the dial met ("dial tcp 127.0.0.1:88: connect:
// connection refused") out of gokrb5's chain of error prefixes.
func networkCause(text string) string {
	if i := strings.LastIndex(text, "dial "); i >= 0 {
		text = text[i:]
	} else if i := strings.LastIndex(text, " < "); i >= 0 {
		text = text[i+3:]
	}
	return clip(text, 300)
}

// unwrapPath drops the repeated path of an *os.PathError.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// negotiateKerberos logs a lane's connection in with HTTP Negotiate: the
// request goes out without a token first (a connection logged in before
// needs none); a 401 offering Negotiate gets the request again with a
// Kerberos token bound to that connection's certificate.
type negotiateKerberos struct {
	login *kerberosLogin
	next  http.RoundTripper
}

func (n negotiateKerberos) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := n.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !offersNegotiate(resp.Header) {
		return resp, err
	}
	var binding chanbind.Token
	if resp.TLS != nil && !ChannelBindingOff(req.Context()) {
		// A certificate RFC 5929 defines no binding for (Ed25519) gets
		// none: a site that requires one refuses, and soap says why.
		binding, _ = chanbind.ForConnection(resp.TLS)
	}
	tok, err := n.login.token(req.URL.Hostname(), binding)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	if req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
		return resp, nil // cannot send the body twice; the 401 stands
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	again := req.Clone(req.Context())
	if req.GetBody != nil {
		if again.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	again.Header.Set("Authorization", "Negotiate "+encodeToken(tok))
	resp, err = n.next.RoundTrip(again)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if kerr := serviceError(resp.Header, time.Now()); kerr != nil {
		n.login.mu.Lock()
		n.login.fatal = kerr
		n.login.mu.Unlock()
		resp.Body.Close()
		return nil, kerr
	}
	return resp, nil
}

func encodeToken(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func decodeToken(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.TrimSpace(s))
}

func offersNegotiate(h http.Header) bool {
	for _, v := range h.Values("Www-Authenticate") {
		if s, _, _ := strings.Cut(strings.TrimSpace(v), " "); strings.EqualFold(s, "Negotiate") {
			return true
		}
	}
	return false
}

// serviceError reads a KRB-ERROR the service answered a token with and
// words the ones an operator can act on; nil for a bare 401.
func serviceError(h http.Header, now time.Time) *KerberosError {
	for _, v := range h.Values("Www-Authenticate") {
		s, tok, _ := strings.Cut(strings.TrimSpace(v), " ")
		if !strings.EqualFold(s, "Negotiate") || tok == "" {
			continue
		}
		raw, err := decodeToken(tok)
		if err != nil {
			continue
		}
		e, ok := krbhttp.ParseError(raw)
		if !ok {
			continue
		}
		switch e.ErrorCode {
		case errorcode.KRB_AP_ERR_SKEW:
			offset := krbhttp.ServerTime(e).Sub(now)
			way := "ahead of"
			if offset < 0 {
				way, offset = "behind", -offset
			}
			return &KerberosError{Code: e.ErrorCode, Detail: fmt.Sprintf("the exchange refused the login for clock skew (KRB_AP_ERR_SKEW): its clock is %s %s this machine's, and Kerberos allows 5m; fix the time on this machine or on the server (NTP)",
				offset.Round(time.Second), way)}
		case errorcode.KRB_AP_ERR_TKT_EXPIRED:
			return &KerberosError{Code: e.ErrorCode, Detail: "the exchange refused the service ticket as expired (KRB_AP_ERR_TKT_EXPIRED); run kinit again or check this machine's clock"}
		}
	}
	return nil
}

// clip keeps the first n bytes of a one-line rendering of s, for
// gokrb5's error texts (which never hold a secret, but may run long).
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}
