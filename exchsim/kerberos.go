package exchsim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/service"

	"github.com/callctl/callctl/internal/krbhttp"
)

// MaxClockSkew is the Kerberos clock skew a service allows (the MIT and
// Active Directory default).
const MaxClockSkew = 5 * time.Minute

// verifyLeeway is the skew gokrb5's own checks are given: the simulator
// checks time itself against its (possibly offset) clock, so that a test
// can have a service whose clock drifted.
const verifyLeeway = 100 * 365 * 24 * time.Hour

func init() { acceptors[AuthKerberos] = (*Server).kerberosAuth }

// loadKeytab reads the service keytab for AuthKerberos.
func loadKeytab(path string) (*keytab.Keytab, error) {
	if path == "" {
		return nil, fmt.Errorf("exchsim: auth %q needs a service keytab (-keytab FILE)", AuthKerberos)
	}
	kt, err := keytab.Load(path)
	if err != nil {
		return nil, fmt.Errorf("exchsim: -keytab %s: %w", path, err)
	}
	if len(kt.Entries) == 0 {
		return nil, fmt.Errorf("exchsim: -keytab %s holds no keys", path)
	}
	return kt, nil
}

// kerberosAuth accepts HTTP Negotiate with a Kerberos AP-REQ for any
// service principal whose key the keytab holds (RFC 4559): no header ->
// 401 offering Negotiate; a valid AP-REQ -> the connection is
// authenticated for later requests, as IIS keeps it; anything else ->
// 401, with a KRB-ERROR token when the client can act on it (clock
// skew, an expired ticket).
func (s *Server) kerberosAuth(w http.ResponseWriter, r *http.Request) bool {
	ca, _ := r.Context().Value(connKey{}).(*connAuth)
	if ca == nil {
		unauthorized(w, r)
		return false
	}
	ca.mu.Lock()
	defer ca.mu.Unlock()

	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if scheme != "Negotiate" || token == "" {
		if ca.authenticated {
			return true
		}
		s.offerNegotiate(w, r, nil)
		return false
	}
	ca.authenticated = false
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		s.kerberosFailed(w, r, nil)
		return false
	}
	apreq, err := krbhttp.ParseInit(raw)
	if err != nil {
		s.kerberosFailed(w, r, nil)
		return false
	}
	settings := service.NewSettings(s.keytab, service.MaxClockSkew(verifyLeeway), service.DecodePAC(false))
	if ok, _, err := service.VerifyAPREQ(&apreq, settings); err != nil || !ok {
		s.kerberosFailed(w, r, nil)
		return false
	}
	now := time.Now().Add(s.opts.ClockOffset)
	sname, realm := apreq.Ticket.SName, apreq.Ticket.Realm
	ct := apreq.Authenticator.CTime.Add(time.Duration(apreq.Authenticator.Cusec) * time.Microsecond)
	if d := now.Sub(ct); d > MaxClockSkew || -d > MaxClockSkew {
		e := messages.NewKRBError(sname, realm, errorcode.KRB_AP_ERR_SKEW, "clock skew too great")
		e.STime, e.Susec = now.UTC().Truncate(time.Second), now.Nanosecond()/1000
		s.kerberosFailed(w, r, &e)
		return false
	}
	if end := apreq.Ticket.DecryptedEncPart.EndTime; now.Sub(end) > MaxClockSkew {
		e := messages.NewKRBError(sname, realm, errorcode.KRB_AP_ERR_TKT_EXPIRED, "ticket expired")
		e.STime = now.UTC().Truncate(time.Second)
		s.kerberosFailed(w, r, &e)
		return false
	}
	if !s.principalMatches(apreq.Authenticator.CName.PrincipalNameString(), apreq.Authenticator.CRealm) {
		s.kerberosFailed(w, r, nil)
		return false
	}
	if !s.bindingAccepted(krbhttp.Binding(apreq.Authenticator.Cksum)) {
		s.kerberosFailed(w, r, nil)
		return false
	}
	ca.authenticated = true
	s.stats.kerberosLogins.Add(1)
	return true
}

// principalMatches checks the client principal against Options.User
// (`alice` or `alice@REALM`, case-insensitive).
func (s *Server) principalMatches(name, realm string) bool {
	wantName, wantRealm, hasRealm := strings.Cut(s.opts.User, "@")
	return strings.EqualFold(name, wantName) && (!hasRealm || strings.EqualFold(realm, wantRealm))
}

func (s *Server) kerberosFailed(w http.ResponseWriter, r *http.Request, e *messages.KRBError) {
	s.stats.authFailures.Add(1)
	s.offerNegotiate(w, r, e)
}

// offerNegotiate sends a 401 offering Negotiate, with a KRB-ERROR token
// when e is set.
func (s *Server) offerNegotiate(w http.ResponseWriter, r *http.Request, e *messages.KRBError) {
	value := "Negotiate"
	if e != nil {
		if tok, err := krbhttp.ErrorToken(*e); err == nil {
			value += " " + base64.StdEncoding.EncodeToString(tok)
		}
	}
	w.Header().Add("WWW-Authenticate", value)
	unauthorized(w, r)
}
