package exchsim

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/callctl/callctl/authkind"

	"github.com/callctl/callctl/exchsim/ntlmserver"
)

// connKey keys the per-connection auth state in request contexts.
type connKey struct{}

// connAuth is NTLM state for one TCP connection: NTLM authenticates the
// connection, not the request (protocol.md §4.2). mu guards both fields;
// HTTP/1.1 serves one request at a time per connection, so it is never
// contended, but it keeps the race detector and future HTTP/2 honest.
type connAuth struct {
	mu            sync.Mutex
	authenticated bool
	challenge     *ntlmserver.Challenge // sent, awaiting AUTHENTICATE
}

func (s *Server) connContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connAuth{})
}

// acceptor checks a SOAP request's credentials; when it returns false it
// has written the 401.
type acceptor func(s *Server, w http.ResponseWriter, r *http.Request) bool

// acceptors are the auth kinds (authkind names) the simulator checks, each
// one server side. Simulating another kind is one file whose init adds
// its acceptor here.
var acceptors = map[string]acceptor{
	AuthBasic: (*Server).basicAuth,
	AuthNTLM:  (*Server).ntlmAuth,
}

// AuthModes lists the values Options.Auth accepts: AuthNone, then the
// simulated kinds in authkind's order.
func AuthModes() []string {
	modes := []string{AuthNone}
	for _, name := range authkind.Names() {
		if acceptors[name] != nil {
			modes = append(modes, name)
		}
	}
	return modes
}

// authenticate checks a SOAP request's credentials. When it returns false
// it has written the 401.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	if accept := acceptors[s.opts.Auth]; accept != nil {
		return accept(s, w, r)
	}
	return true
}

// userMatches compares a client-supplied user and domain with Options.User
// case-insensitively. An empty domain on either side matches any, as a
// server applies its default domain.
func (s *Server) userMatches(domain, user string) bool {
	wantDomain, wantUser := splitUser(s.opts.User)
	if !strings.EqualFold(user, wantUser) {
		return false
	}
	return wantDomain == "" || domain == "" || strings.EqualFold(domain, wantDomain)
}

// splitUser splits `DOMAIN\user`.
func splitUser(u string) (domain, user string) {
	if d, name, ok := strings.Cut(u, `\`); ok {
		return d, name
	}
	return "", u
}

func (s *Server) basicAuth(w http.ResponseWriter, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if ok {
		domain, name := splitUser(user)
		if s.userMatches(domain, name) && subtle.ConstantTimeCompare([]byte(pass), []byte(s.opts.Password)) == 1 {
			return true
		}
	}
	if r.Header.Get("Authorization") != "" {
		s.stats.authFailures.Add(1)
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="exchsim"`)
	unauthorized(w, r)
	return false
}

// ntlmAuth runs the NTLM handshake over a connection's requests:
// anonymous -> 401 offering Negotiate and NTLM; NEGOTIATE -> 401 with a
// CHALLENGE under the client's scheme; AUTHENTICATE -> verified, and the
// connection stays authenticated for later requests without a header.
func (s *Server) ntlmAuth(w http.ResponseWriter, r *http.Request) bool {
	ca, _ := r.Context().Value(connKey{}).(*connAuth)
	if ca == nil { // cannot happen with our http.Server; fail closed
		unauthorized(w, r)
		return false
	}
	ca.mu.Lock()
	defer ca.mu.Unlock()

	scheme, token, hasToken := ntlmToken(r.Header.Get("Authorization"))
	if !hasToken {
		if ca.authenticated {
			return true
		}
		s.offerNTLM(w, r)
		return false
	}
	// A token on an authenticated connection starts over, as IIS does.
	ca.authenticated = false
	msg, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		s.ntlmFailed(w, r, ca)
		return false
	}
	typ, err := ntlmserver.MessageType(msg)
	if err != nil {
		s.ntlmFailed(w, r, ca)
		return false
	}
	switch typ {
	case ntlmserver.TypeNegotiate:
		neg, err := ntlmserver.ParseNegotiate(msg)
		if err != nil {
			s.ntlmFailed(w, r, ca)
			return false
		}
		ch, err := ntlmserver.NewChallenge(neg, s.ntlmTarget(), rand.Reader, time.Now())
		if err != nil {
			s.ntlmFailed(w, r, ca)
			return false
		}
		ca.challenge = ch
		w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(ch.Bytes()))
		unauthorized(w, r)
		return false
	case ntlmserver.TypeAuthenticate:
		ch := ca.challenge
		ca.challenge = nil // one AUTHENTICATE per CHALLENGE
		a, err := ntlmserver.ParseAuthenticate(msg)
		if err != nil || ch == nil || !s.userMatches(a.Domain, a.User) || !ch.Verify(a, s.opts.Password) {
			s.ntlmFailed(w, r, ca)
			return false
		}
		cbt, _ := a.ChannelBindings()
		if !s.bindingAccepted(cbt) {
			s.ntlmFailed(w, r, ca)
			return false
		}
		ca.authenticated = true
		s.stats.handshakes.Add(1)
		return true
	}
	s.ntlmFailed(w, r, ca)
	return false
}

// ntlmToken splits "NTLM <b64>" or "Negotiate <b64>". Under Negotiate the
// token is raw NTLMSSP, as go-ntlmssp sends it (no SPNEGO wrapping).
func ntlmToken(h string) (scheme, token string, ok bool) {
	scheme, token, _ = strings.Cut(h, " ")
	if (scheme != "NTLM" && scheme != "Negotiate") || strings.TrimSpace(token) == "" {
		return "", "", false
	}
	return scheme, strings.TrimSpace(token), true
}

func (s *Server) ntlmFailed(w http.ResponseWriter, r *http.Request, ca *connAuth) {
	ca.challenge = nil
	s.stats.authFailures.Add(1)
	s.offerNTLM(w, r)
}

// offerNTLM sends the initial 401: separate header lines, because
// go-ntlmssp does not recognise a comma-joined value.
func (s *Server) offerNTLM(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("WWW-Authenticate", "Negotiate")
	w.Header().Add("WWW-Authenticate", "NTLM")
	unauthorized(w, r)
}

func (s *Server) ntlmTarget() ntlmserver.Target {
	domain, _ := splitUser(s.opts.User)
	if domain == "" {
		domain = "EXCHSIM"
	}
	return ntlmserver.Target{
		NbDomain:    strings.ToUpper(domain),
		NbComputer:  "SIM",
		DNSDomain:   "exchsim.local",
		DNSComputer: "sim.exchsim.local",
	}
}

// maxDrain bounds how much of a rejected request's body is read so that
// the connection, and with it an NTLM handshake, can carry on.
const maxDrain = 4 << 20

// unauthorized writes a 401 with an empty body after draining the request
// body, keeping the connection reusable for the next handshake leg.
func unauthorized(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, io.LimitReader(r.Body, maxDrain))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusUnauthorized)
}
