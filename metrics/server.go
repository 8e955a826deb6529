package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	"go.yaml.in/yaml/v2"
	"golang.org/x/net/netutil"
)

// The metrics server's limits. A scrape is a few kilobytes asked for in
// one short request, so a client that takes seconds over its headers is
// idling on a connection someone else could use.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	// idleTimeout outlives the usual scrape intervals (15-60s), so a
	// Prometheus server keeps its connection between scrapes.
	idleTimeout    = 90 * time.Second
	maxHeaderBytes = 16 << 10
)

// ServerOptions configure the metrics server.
type ServerOptions struct {
	// Addr is host:port; an empty host (":9464") means every interface.
	Addr string
	// WebConfig is an exporter-toolkit web configuration file (TLS,
	// basic auth), or "" for plain HTTP to anyone.
	WebConfig string
	// MaxConns caps the connections served at once; 0 sizes it from the
	// open-file limit (ConnCap).
	MaxConns int
	// Log receives exporter-toolkit's messages; nil discards them.
	Log *slog.Logger
}

// Listening describes a started server, for its startup line.
type Listening struct {
	Addr string // the address listened on, with the real port
	// Everywhere is set when the host was empty or unspecified (0.0.0.0,
	// ::): every interface, so every network the host is on.
	Everywhere bool
	TLS        bool // per the web config file
	BasicAuth  bool // per the web config file
	MaxConns   int
}

// Server serves /metrics, /livez, /readyz and /healthz.
type Server struct {
	srv *http.Server
	ln  net.Listener
	// Listening is what the server does, for the startup line.
	Listening Listening

	done    chan struct{} // closed when serving has stopped
	mu      sync.Mutex
	closing bool
	err     error // why serving stopped on its own
}

// Start checks the web config, listens on o.Addr and serves m at /metrics
// and h's probes until Close. Connections beyond o.MaxConns wait in the
// kernel's accept queue, holding none of callctl's file descriptors.
// Errors (a bad web config, a *WebConfigError; an address in use) are
// the caller's to report.
func Start(o ServerOptions, m *Metrics, h *Health) (*Server, error) {
	var tls, auth bool
	if o.WebConfig != "" {
		var err error
		if tls, auth, err = checkWebConfig(o.WebConfig); err != nil {
			return nil, err
		}
	}
	max := o.MaxConns
	if max <= 0 {
		max = ConnCap()
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(o.Addr)
	ip := net.ParseIP(host)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.Handle("GET /livez", h.LivezHandler())
	mux.Handle("GET /readyz", h.ReadyzHandler())
	mux.Handle("GET /healthz", h.ReadyzHandler())
	log := o.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    maxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		},
		ln: ln,
		Listening: Listening{
			Addr:       ln.Addr().String(),
			Everywhere: host == "" || ip != nil && ip.IsUnspecified(),
			TLS:        tls,
			BasicAuth:  auth,
			MaxConns:   max,
		},
		done: make(chan struct{}),
	}
	webConfig := o.WebConfig
	flags := &web.FlagConfig{WebListenAddresses: &[]string{o.Addr}, WebConfigFile: &webConfig}
	go func() {
		defer close(s.done)
		err := web.Serve(netutil.LimitListener(ln, max), s.srv, flags, log)
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.closing {
			if err == nil || errors.Is(err, http.ErrServerClosed) {
				err = errors.New("stopped serving")
			}
			s.err = err
		}
	}()
	return s, nil
}

// WebConfigError is a web config file that cannot be used.
type WebConfigError struct {
	Path string
	Err  error
}

func (e *WebConfigError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *WebConfigError) Unwrap() error { return e.Err }

// checkWebConfig loads an exporter-toolkit web config as the toolkit
// will (certificates and password hashes included), and says whether it
// turns TLS and basic auth on.
func checkWebConfig(path string) (tls, auth bool, err error) {
	if err := web.Validate(path); err != nil {
		return false, false, &WebConfigError{path, err}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return false, false, &WebConfigError{path, err}
	}
	var c web.Config
	if err := yaml.Unmarshal(b, &c); err != nil {
		return false, false, &WebConfigError{path, err}
	}
	return c.TLSConfig.IsEnabled(), len(c.Users) > 0, nil
}

// Done is closed when the server has stopped serving, after Close or on
// its own (see Err).
func (s *Server) Done() <-chan struct{} { return s.done }

// Err says why the server stopped serving on its own; nil while it
// serves and after Close.
func (s *Server) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Addr is the address served, with the real port when port 0 was asked.
func (s *Server) Addr() string { return s.Listening.Addr }

// Close stops serving, giving scrapes in progress a moment to finish.
func (s *Server) Close() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if s.srv.Shutdown(ctx) != nil {
		s.srv.Close()
	}
	<-s.done
}
