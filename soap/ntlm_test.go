package soap

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/exchsim/ntlmserver"
)

// fakeNTLM is a server that runs the NTLM message exchange the way IIS
// does, bound to the TCP connection: a connection becomes authenticated
// after NEGOTIATE → CHALLENGE → AUTHENTICATE on that same connection. It
// does not verify the NTLMv2 response (the simulator package does); it
// checks the message sequence per connection, which is what breaks when
// handshake legs wander between connections.
type fakeNTLM struct {
	*httptest.Server
	user, domain string
	body         []byte
	gate         int64 // hold authenticated requests until this many are in flight
	// closeEach makes the server close every connection after serving an
	// answer on it; forgetLogin makes it want a login for every request,
	// as a server that does not keep NTLM per connection would.
	closeEach, forgetLogin bool

	anonymous atomic.Int64 // requests without an Authorization header

	conns, handshakes, outOfSequence, sawBasic, served atomic.Int64
	inFlight, maxInFlight                              atomic.Int64
	reached                                            chan struct{}
	once                                               sync.Once
}

type ntlmConnKey struct{}

// ntlmConn is one connection's handshake state. HTTP/1.1 serves one
// request at a time per connection, so it needs no lock.
type ntlmConn struct {
	challenged, authenticated bool
}

func newFakeNTLM(t *testing.T, user, domain string, gate int64, body []byte) *fakeNTLM {
	f := &fakeNTLM{user: user, domain: domain, gate: gate, body: body, reached: make(chan struct{})}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(f.serveHTTP))
	f.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, ntlmConnKey{}, &ntlmConn{})
	}
	f.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.Start()
	t.Cleanup(f.Close)
	return f
}

var fakeChallenge = func() []byte {
	// CHALLENGE (MS-NLMP 2.2.1.2): header, empty TargetName, flags
	// UNICODE|NTLM|ALWAYS_SIGN|EXTENDED_SESSIONSECURITY|TARGET_INFO|128|56,
	// server challenge, reserved, TargetInfo holding only MsvAvEOL.
	m := make([]byte, 52)
	copy(m, "NTLMSSP\x00")
	binary.LittleEndian.PutUint32(m[8:], 2)
	binary.LittleEndian.PutUint32(m[16:], 48) // TargetName offset (len 0)
	binary.LittleEndian.PutUint32(m[20:], 0x00000001|0x00000200|0x00008000|0x00080000|0x00800000|0x20000000|0x80000000)
	copy(m[24:32], "chal-nge")
	binary.LittleEndian.PutUint16(m[40:], 4) // TargetInfo len
	binary.LittleEndian.PutUint16(m[42:], 4)
	binary.LittleEndian.PutUint32(m[44:], 48)
	return m
}()

func (f *fakeNTLM) serveHTTP(w http.ResponseWriter, r *http.Request) {
	st := r.Context().Value(ntlmConnKey{}).(*ntlmConn)
	auth := r.Header.Get("Authorization")
	if strings.HasPrefix(auth, "Basic ") {
		f.sawBasic.Add(1)
	}
	if auth == "" {
		f.anonymous.Add(1)
	}
	if st.authenticated {
		st.authenticated = !f.forgetLogin
		f.serve(w)
		return
	}
	scheme, token, _ := strings.Cut(auth, " ")
	msg, err := base64.StdEncoding.DecodeString(token)
	if (scheme != "NTLM" && scheme != "Negotiate") || err != nil || len(msg) < 12 || string(msg[:8]) != "NTLMSSP\x00" {
		// Anonymous (or garbage): offer both schemes as separate
		// header lines, with an IIS-like HTML body.
		w.Header().Add("WWW-Authenticate", "Negotiate")
		w.Header().Add("WWW-Authenticate", "NTLM")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte("<html><body>401 - Unauthorized: Access is denied due to invalid credentials.</body></html>"))
		return
	}
	switch binary.LittleEndian.Uint32(msg[8:]) {
	case 1:
		f.handshakes.Add(1)
		st.challenged = true
		w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(fakeChallenge))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte("<html><body>401 - challenge</body></html>"))
	case 3:
		if !st.challenged || authField(msg, 36) != f.user || authField(msg, 28) != f.domain {
			// AUTHENTICATE on a connection that never got our
			// CHALLENGE: the handshake was split across connections.
			f.outOfSequence.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		st.authenticated = !f.forgetLogin
		f.serve(w)
	default:
		w.WriteHeader(http.StatusBadRequest)
	}
}

// authField reads a UTF-16LE varfield of an AUTHENTICATE message.
func authField(msg []byte, at int) string {
	if len(msg) < at+8 {
		return ""
	}
	n := int(binary.LittleEndian.Uint16(msg[at:]))
	off := int(binary.LittleEndian.Uint32(msg[at+4:]))
	if n%2 != 0 || off+n > len(msg) {
		return ""
	}
	u := make([]uint16, n/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(msg[off+2*i:])
	}
	return string(utf16.Decode(u))
}

func (f *fakeNTLM) serve(w http.ResponseWriter) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxInFlight.Load()
		if n <= m || f.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	if n >= f.gate {
		f.once.Do(func() { close(f.reached) })
	}
	select {
	case <-f.reached:
	case <-time.After(10 * time.Second): // only so a broken client cannot hang the test
	}
	f.served.Add(1)
	if f.closeEach {
		w.Header().Set("Connection", "close")
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write(f.body)
}

// TestNTLMHandshakesPerConnection is the point of the lane design: under
// parallel load, NTLM handshakes happen once per TCP connection, never
// once per request, and never split across connections.
func TestNTLMHandshakesPerConnection(t *testing.T) {
	const parallelism, requests = 3, 30
	for _, dialect := range []string{DialectEWS, DialectUM2007} {
		t.Run(dialect, func(t *testing.T) {
			body := fixture(t, "ews_getphonecallinformation_response.xml")
			if dialect == DialectUM2007 {
				body = fixture(t, "um_getcallinfo_response.xml")
			}
			srv := newFakeNTLM(t, "alice", "CORP", parallelism, body)
			c := mustNew(t, Options{URL: srv.URL, Dialect: dialect, Auth: authkind.NTLM,
				Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"}, Parallelism: parallelism,
				// A regression that deadlocks a lane fails here instead of hanging.
				Timeout: 10 * time.Second})

			var wg sync.WaitGroup
			errs := make(chan error, requests)
			for range requests {
				wg.Go(func() {
					if _, err := c.CallInfo(context.Background(), "id"); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}

			conns, hs := srv.conns.Load(), srv.handshakes.Load()
			if hs != conns {
				t.Errorf("%d NTLM handshakes over %d connections, want one per connection", hs, conns)
			}
			if conns > parallelism {
				t.Errorf("%d connections for %d requests, want at most %d", conns, requests, parallelism)
			}
			if got := srv.maxInFlight.Load(); got != parallelism {
				t.Errorf("max authenticated requests in flight = %d, want %d", got, parallelism)
			}
			if got := srv.outOfSequence.Load(); got != 0 {
				t.Errorf("%d AUTHENTICATE messages arrived on a connection that was not challenged", got)
			}
			if got := srv.sawBasic.Load(); got != 0 {
				t.Errorf("server saw %d Basic Authorization headers; NTLM must never send the password", got)
			}
			if got := srv.served.Load(); got != requests {
				t.Errorf("served %d requests, want %d", got, requests)
			}
		})
	}
}

// TestNTLMWrongUserIsAnHTTPError: a failed handshake ends in the server's
// 401, reported as such, and the password never travels as Basic.
func TestNTLMWrongUserIsAnHTTPError(t *testing.T) {
	srv := newFakeNTLM(t, "alice", "CORP", 1, fixture(t, "ews_getphonecallinformation_response.xml"))
	c := mustNew(t, Options{URL: srv.URL, Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\mallory`, "password": "secret"}})
	_, err := c.CallInfo(context.Background(), "id")
	var herr *HTTPError
	if !errors.As(err, &herr) || herr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v, want HTTP 401", err)
	}
	if srv.sawBasic.Load() != 0 {
		t.Error("password sent as Basic")
	}
}

// TestNTLMLoginResetIsNotReportedAs401: go-ntlmssp drops a transport error
// on the AUTHENTICATE leg and hands back the first 401; a connection reset
// mid-login must come back as what it is, not as "wrong credentials".
func TestNTLMLoginResetIsNotReportedAs401(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			w.Header().Add("WWW-Authenticate", "NTLM")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		tok, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "NTLM "))
		if err != nil {
			t.Errorf("bad token: %v", err)
			return
		}
		if typ, _ := ntlmserver.MessageType(tok); typ == 1 {
			neg, err := ntlmserver.ParseNegotiate(tok)
			if err != nil {
				t.Errorf("negotiate: %v", err)
				return
			}
			ch, err := ntlmserver.NewChallenge(neg, ntlmserver.Target{}, rand.Reader, time.Now())
			if err != nil {
				t.Errorf("challenge: %v", err)
				return
			}
			w.Header().Set("WWW-Authenticate", "NTLM "+base64.StdEncoding.EncodeToString(ch.Bytes()))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		// The AUTHENTICATE leg: drop the connection.
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	c, err := New(Options{URL: srv.URL + "/EWS/Exchange.asmx", Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"}, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.CallInfo(context.Background(), "c-1")
	var he *HTTPError
	if err == nil || errors.As(err, &he) {
		t.Fatalf("err = %v; want the reset, not an HTTP error", err)
	}
	if ok, _ := Retryable(err); !ok {
		t.Errorf("a reset mid-login is not retryable: %v", err)
	}
}
