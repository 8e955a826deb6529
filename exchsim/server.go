package exchsim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/internal/chanbind"
)

// Auth modes for Options.Auth: authkind's names, for the kinds the
// simulator can check (acceptors).
const (
	AuthNone  = authkind.None
	AuthBasic = authkind.Basic
	AuthNTLM  = authkind.NTLM
	// AuthKerberos accepts HTTP Negotiate with Kerberos tickets for the
	// service principals in Options.Keytab.
	AuthKerberos = authkind.Kerberos
)

// Extended Protection modes for Options.EPA, as IIS names them
// (protocol.md §4.6): EPANone checks no channel binding, EPAAllow refuses
// a wrong one but accepts a login without any, EPARequire refuses both.
const (
	EPANone    = "none"
	EPAAllow   = "allow"
	EPARequire = "require"
)

// Endpoint paths.
const (
	EWSPath          = "/EWS/Exchange.asmx"
	UM2007Path       = "/UnifiedMessaging/Service.asmx"
	UM2007LegacyPath = "/EWS/UM2007Legacy.asmx" // the 2007 contract as Exchange 2010+ serves it
)

// Options configure a Server.
type Options struct {
	Calls    []Call
	Auth     string // AuthNone (also when empty) or a kind in acceptors
	User     string // `CORP\alice` (domain\user) or a plain user name
	Password string
	Latency  time.Duration // added before every SOAP response
	Faults   Faults        // copied to Server.Faults
	Listen   string        // default "127.0.0.1:0"; must be loopback unless AllowNonLoopback

	// TLS serves https with a certificate generated for 127.0.0.1,
	// ::1 and localhost; CACertPEM returns the CA that signed it.
	TLS bool
	// Certificate, when set, is served instead (and implies TLS).
	Certificate *tls.Certificate
	// EPA is the Extended Protection mode (default EPANone); other
	// modes need TLS, since the binding is to the TLS certificate.
	EPA string
	// Keytab is the service keytab file for AuthKerberos; User is then
	// the client principal let in (alice@REALM).
	Keytab string
	// ClockOffset runs the simulator's Kerberos clock this far ahead
	// (negative: behind) of the machine's, as a service whose clock
	// drifted; beyond MaxClockSkew logins fail with KRB_AP_ERR_SKEW.
	ClockOffset time.Duration

	AllowNonLoopback bool
}

// Server is a running (or, from NewUnstartedServer, not yet started)
// simulator, in the manner of httptest.Server.
type Server struct {
	// URL is the base URL, "http://127.0.0.1:PORT" (https with TLS)
	// without a trailing slash; set by Start.
	URL string

	// Faults may be changed between NewUnstartedServer and Start; it is
	// read-only afterwards.
	Faults Faults

	opts     Options
	listener net.Listener
	srv      *http.Server
	closing  chan struct{} // closed by Close: releases hung requests
	stats    counters

	// mu guards calls, rng, conns, closed and the inflight Add that must
	// not race with Close's Wait.
	mu       sync.Mutex
	calls    map[string]*record
	rng      *rand.Rand
	conns    map[net.Conn]http.ConnState
	closed   bool
	inflight sync.WaitGroup

	active    atomic.Int64 // requests inside a handler, for tests
	closeOnce sync.Once

	// Set by setUpTLS before Start and read-only afterwards.
	cert    tls.Certificate // empty: plain http
	caPEM   []byte          // the generated CA, if any
	binding chanbind.Token  // what a client bound to cert sends
	keytab  *keytab.Keytab  // AuthKerberos's service keys
}

// NewServer returns a started Server.
func NewServer(opts Options) (*Server, error) {
	s, err := NewUnstartedServer(opts)
	if err != nil {
		return nil, err
	}
	if err := s.Start(); err != nil {
		return nil, err
	}
	return s, nil
}

// NewUnstartedServer checks opts and returns a Server that Start will
// start. Errors are configuration errors.
func NewUnstartedServer(opts Options) (*Server, error) {
	if opts.Auth == "" {
		opts.Auth = AuthNone
	}
	if opts.Auth != AuthNone {
		if acceptors[opts.Auth] == nil {
			return nil, fmt.Errorf("exchsim: unknown auth %q (want %s)", opts.Auth, authkind.OrList(AuthModes(), false))
		}
		if opts.User == "" {
			return nil, fmt.Errorf("exchsim: auth %q needs a user", opts.Auth)
		}
	}
	if opts.EPA == "" {
		opts.EPA = EPANone
	}
	switch opts.EPA {
	case EPANone:
	case EPAAllow, EPARequire:
		if !opts.TLS && opts.Certificate == nil {
			return nil, fmt.Errorf("exchsim: -epa %s needs TLS (-tls, or -tls-cert and -tls-key): a channel binding binds a login to the TLS certificate", opts.EPA)
		}
	default:
		return nil, fmt.Errorf("exchsim: unknown -epa %q (want none, allow or require)", opts.EPA)
	}
	if opts.Latency < 0 {
		return nil, fmt.Errorf("exchsim: negative latency %v", opts.Latency)
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if err := checkListen(opts.Listen, opts.AllowNonLoopback); err != nil {
		return nil, err
	}
	if err := opts.Faults.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		Faults:  opts.Faults,
		opts:    opts,
		closing: make(chan struct{}),
		conns:   make(map[net.Conn]http.ConnState),
		calls:   make(map[string]*record),
	}
	s.stats.init()
	if err := s.setUpTLS(); err != nil {
		return nil, err
	}
	if opts.Auth == AuthKerberos {
		kt, err := loadKeytab(opts.Keytab)
		if err != nil {
			return nil, err
		}
		s.keytab = kt
	}
	if err := s.SetCalls(opts.Calls); err != nil {
		return nil, err
	}
	return s, nil
}

// checkListen refuses addresses that would expose the simulator, and its
// admin endpoints, beyond this machine.
func checkListen(addr string, allowNonLoopback bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("exchsim: listen address %q: %w", addr, err)
	}
	if allowNonLoopback {
		return nil
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("exchsim: listen address %q is not loopback; set AllowNonLoopback (exchsim -allow-non-loopback) to serve beyond this machine", addr)
}

// Start listens and serves in the background.
func (s *Server) Start() error {
	if s.srv != nil {
		return errors.New("exchsim: server already started")
	}
	if err := s.Faults.validate(); err != nil {
		return err
	}
	s.rng = rand.New(rand.NewPCG(uint64(s.Faults.Seed), 0))
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return fmt.Errorf("exchsim: %w", err)
	}
	s.URL = "http://" + ln.Addr().String()
	if s.TLS() {
		s.URL = "https://" + ln.Addr().String()
	}
	ln = s.tlsListener(ln)
	s.listener = ln
	s.srv = &http.Server{
		Handler:           s.handler(),
		ConnContext:       s.connContext,
		ConnState:         s.trackConn,
		ReadHeaderTimeout: 30 * time.Second,
	}
	go s.srv.Serve(ln) // returns ErrServerClosed once Close shuts it down
	return nil
}

// EWSURL is the Exchange 2010+ EWS endpoint.
func (s *Server) EWSURL() string { return s.URL + EWSPath }

// UM2007URL is the Exchange 2007 UM web service endpoint.
func (s *Server) UM2007URL() string { return s.URL + UM2007Path }

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(EWSPath, s.soapEndpoint(ewsDialect{s}))
	mux.Handle(UM2007Path, s.soapEndpoint(umDialect{s}))
	mux.Handle(UM2007LegacyPath, s.soapEndpoint(umDialect{s}))
	mux.HandleFunc("GET /_exchsim/calls", s.serveAdminCalls)
	mux.HandleFunc("GET /_exchsim/stats", s.serveAdminStats)
	mux.HandleFunc("POST /_exchsim/calls", s.serveAdminPostCalls)
	return s.track(mux)
}

// track counts handlers in flight so that Close can wait for them, and
// refuses requests that arrive while closing.
func (s *Server) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			w.Header().Set("Connection", "close")
			http.Error(w, "exchsim: server closing", http.StatusServiceUnavailable)
			return
		}
		s.inflight.Add(1)
		s.mu.Unlock()
		s.active.Add(1)
		defer s.inflight.Done()
		defer s.active.Add(-1)
		h.ServeHTTP(w, r)
	})
}

func (s *Server) trackConn(c net.Conn, st http.ConnState) {
	if st == http.StateNew {
		s.stats.connections.Add(1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	default:
		s.conns[c] = st
	}
}

// Close stops the server: it stops accepting, releases hung requests,
// waits for every in-flight handler to return, then closes all
// connections. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.srv == nil {
			return
		}
		s.mu.Lock()
		s.closed = true
		close(s.closing)
		s.srv.SetKeepAlivesEnabled(false)
		s.listener.Close()
		// Idle and never-used connections would hold Shutdown for
		// seconds; nobody is waiting on them.
		for c, st := range s.conns {
			if st == http.StateIdle || st == http.StateNew {
				c.Close()
			}
		}
		s.mu.Unlock()

		s.inflight.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.srv.Close()
		}
	})
}
