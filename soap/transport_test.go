package soap

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callctl/callctl/authkind"
)

func TestAuthorizationHeaders(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string // Authorization header on every request
	}{
		{"none", Options{Auth: AuthNone}, ""},
		{"empty means none", Options{}, ""},
		{"basic", Options{Auth: authkind.Basic, Credentials: authkind.Credentials{"username": "alice", "password": "s3cret"}, AllowInsecureHTTP: true},
			"Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))},
		{"bearer", Options{Auth: authkind.Bearer, Credentials: authkind.Credentials{"token": "tok.en"}, AllowInsecureHTTP: true}, "Bearer tok.en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(200, fixture(t, "ews_disconnectphonecall_response.xml"))
			srv := newServer(t, rec)
			tt.opts.URL = srv.URL
			tt.opts.UserAgent = "test-agent/2"
			c := mustNew(t, tt.opts)
			for range 3 {
				if err := c.Disconnect(context.Background(), "id"); err != nil {
					t.Fatal(err)
				}
				h := rec.last(t).header
				if got := h.Get("Authorization"); got != tt.want {
					t.Errorf("Authorization = %q, want %q", got, tt.want)
				}
				if got := h.Get("User-Agent"); got != "test-agent/2" {
					t.Errorf("User-Agent = %q", got)
				}
			}
		})
	}
}

func TestNewRefusesUnsafeOrInvalidOptions(t *testing.T) {
	dir := t.TempDir()
	noCerts := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(noCerts, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const secret = "hunter2-secret"
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"basic over http", Options{URL: "http://mail/EWS/Exchange.asmx", Auth: authkind.Basic, Credentials: authkind.Credentials{"username": "u", "password": secret}},
			"refusing to send basic credentials over plain http to mail"},
		{"bearer over http", Options{URL: "http://mail/EWS/Exchange.asmx", Auth: authkind.Bearer, Credentials: authkind.Credentials{"token": secret}},
			"refusing to send bearer credentials over plain http"},
		{"credentials in URL", Options{URL: "https://u:" + secret + "@mail/EWS/Exchange.asmx"},
			"must not carry credentials"},
		{"relative URL", Options{URL: "/EWS/Exchange.asmx"}, "must be an absolute http:// or https:// URL"},
		{"ftp URL", Options{URL: "ftp://mail/x"}, "must be an absolute http:// or https:// URL"},
		{"unknown dialect", Options{URL: "https://mail/x", Dialect: "soap12"}, `unknown dialect "soap12"`},
		{"unknown auth", Options{URL: "https://mail/x", Auth: "digest", Credentials: authkind.Credentials{"password": secret}}, `unknown auth "digest"`},
		{"ntlm without user", Options{URL: "https://mail/x", Auth: authkind.NTLM, Credentials: authkind.Credentials{"password": secret}}, "ntlm authentication needs a username"},
		{"bearer without token", Options{URL: "https://mail/x", Auth: authkind.Bearer}, "needs a token"},
		{"CA file missing", Options{URL: "https://mail/x", CAFile: filepath.Join(dir, "nope.pem")}, "reading CA file"},
		{"CA file without certificates", Options{URL: "https://mail/x", CAFile: noCerts}, "holds no PEM certificates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts)
			if err == nil {
				t.Fatal("want an error")
			}
			if c != nil {
				t.Errorf("New returned a non-nil Caller %#v with its error", c)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("err leaks the secret: %q", err)
			}
		})
	}
	// The escape hatch works, and NTLM over http is allowed: it never
	// sends the password itself.
	for _, opts := range []Options{
		{URL: "http://mail/x", Auth: authkind.Basic, Credentials: authkind.Credentials{"username": "u"}, AllowInsecureHTTP: true},
		{URL: "http://mail/x", Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `D\u`}},
	} {
		if _, err := New(opts); err != nil {
			t.Errorf("New(%+v): %v", opts, err)
		}
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	const password, token = "pa55-word-xyz", "tok-abc-123"
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("WWW-Authenticate", `Basic realm="mail"`)
		w.WriteHeader(401)
		// A server echoing the Authorization header must not make us
		// print it in full either: only the snippet is kept, and the
		// snippet here comes after the secret-free prefix.
		w.Write([]byte("denied"))
	}))
	for _, opts := range []Options{
		{URL: srv.URL, Auth: authkind.Basic, Credentials: authkind.Credentials{"username": "alice", "password": password}, AllowInsecureHTTP: true},
		{URL: srv.URL, Auth: authkind.Bearer, Credentials: authkind.Credentials{"token": token}, AllowInsecureHTTP: true},
		{URL: srv.URL, Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\alice`, "password": password}},
	} {
		c := mustNew(t, opts)
		_, err := c.CallInfo(context.Background(), "id")
		var herr *HTTPError
		if !errors.As(err, &herr) || herr.StatusCode != 401 {
			t.Fatalf("%s: err = %v, want HTTP 401", opts.Auth, err)
		}
		if msg := err.Error(); strings.Contains(msg, password) || strings.Contains(msg, token) ||
			strings.Contains(msg, base64.StdEncoding.EncodeToString([]byte("alice:"+password))) {
			t.Errorf("%s: error leaks a credential: %q", opts.Auth, msg)
		}
	}
}

// TestParallelismBoundsInFlightAndReusesConnections runs many requests
// with Parallelism 3: never more than 3 reach the server at once, all 3
// lanes are used, and no more than 3 connections are ever opened.
func TestParallelismBoundsInFlightAndReusesConnections(t *testing.T) {
	for dialect, response := range map[string]string{
		DialectEWS:    "ews_getphonecallinformation_response.xml",
		DialectUM2007: "um_getcallinfo_response.xml",
	} {
		t.Run(dialect, func(t *testing.T) {
			const parallelism, requests = 3, 24
			srv := newGateServer(t, parallelism, fixture(t, response))
			c := mustNew(t, Options{URL: srv.URL, Dialect: dialect, Parallelism: parallelism})
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
			if got := srv.maxInFlight.Load(); got != parallelism {
				t.Errorf("max requests in flight = %d, want exactly %d", got, parallelism)
			}
			if got := srv.conns.Load(); got > parallelism {
				t.Errorf("%d connections opened for %d requests, want at most %d", got, requests, parallelism)
			}
		})
	}
}

// gateServer holds the first requests until `gate` of them are in flight
// at once, so that a client that failed to run them in parallel shows up
// as maxInFlight < gate instead of passing by luck. It counts connections.
type gateServer struct {
	*httptest.Server
	inFlight, maxInFlight, conns atomic.Int64
}

func newGateServer(t *testing.T, gate int64, body []byte) *gateServer {
	gs := &gateServer{}
	reached := make(chan struct{})
	var once sync.Once
	gs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := gs.inFlight.Add(1)
		defer gs.inFlight.Add(-1)
		for {
			m := gs.maxInFlight.Load()
			if n <= m || gs.maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		if n == gate {
			once.Do(func() { close(reached) })
		}
		select {
		case <-reached:
		case <-time.After(10 * time.Second): // only so a broken client cannot hang the test
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Write(body)
	}))
	gs.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			gs.conns.Add(1)
		}
	}
	gs.Start()
	t.Cleanup(gs.Close)
	return gs
}

func TestTimeoutAndCancellation(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer close(release)

	c := mustNew(t, Options{URL: srv.URL, Timeout: 50 * time.Millisecond, Parallelism: 1})
	_, err := c.CallInfo(context.Background(), "id")
	if err == nil || !strings.Contains(err.Error(), "no answer from "+srv.URL+" within 50ms") {
		t.Fatalf("err = %v, want a timeout naming the wait", err)
	}
	if retry, _ := Retryable(err); !retry {
		t.Error("a timeout must be retryable")
	}

	// A cancelled caller context, here while waiting for the only lane,
	// is not retryable.
	busy := mustNew(t, Options{URL: srv.URL, Parallelism: 1}).(*EWSClient)
	started := make(chan struct{})
	go func() {
		ln, _ := busy.ep.lanes.acquire(context.Background())
		close(started)
		<-release
		busy.ep.lanes.release(ln)
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = busy.Disconnect(ctx, "id")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if retry, _ := Retryable(err); retry {
		t.Error("a cancelled request must not be retryable")
	}
}

func TestTLSVerification(t *testing.T) {
	srv := httptest.NewUnstartedServer(newRecorder(200, fixture(t, "ews_disconnectphonecall_response.xml")))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted case makes the server log a handshake error
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}

	c := mustNew(t, Options{URL: srv.URL, Auth: authkind.Basic, Credentials: authkind.Credentials{"username": "u", "password": "p"}})
	err := c.Disconnect(context.Background(), "id")
	if err == nil || !strings.Contains(err.Error(), "set ca_file") {
		t.Errorf("untrusted certificate: err = %v, want a verification error with a hint", err)
	}
	for name, opts := range map[string]Options{
		"CAFile":             {URL: srv.URL, CAFile: caFile},
		"InsecureSkipVerify": {URL: srv.URL, InsecureSkipVerify: true},
	} {
		if err := mustNew(t, opts).Disconnect(context.Background(), "id"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestHTTP2Disabled: the lanes speak HTTP/1.1 even to a server offering h2,
// because NTLM cannot survive multiplexing.
func TestHTTP2Disabled(t *testing.T) {
	var proto atomic.Value
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(r.Proto)
		w.Write(fixture(t, "ews_disconnectphonecall_response.xml"))
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	if err := mustNew(t, Options{URL: srv.URL, InsecureSkipVerify: true}).Disconnect(context.Background(), "id"); err != nil {
		t.Fatal(err)
	}
	if got := proto.Load(); got != "HTTP/1.1" {
		t.Errorf("protocol = %v, want HTTP/1.1", got)
	}
}
