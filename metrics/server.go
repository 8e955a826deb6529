package metrics

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server serves /metrics and /healthz.
type Server struct {
	srv *http.Server
	ln  net.Listener
	// done is closed when Serve has returned.
	done chan struct{}
}

// Start listens on addr and serves m at /metrics and h at /healthz until
// Close. An address that cannot be listened on is the caller's error to
// report.
func Start(addr string, m *Metrics, h *Health) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.Handle("GET /healthz", h)
	s := &Server{
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second,
		},
		ln:   ln,
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		// Serve returns ErrServerClosed after Close; any other error
		// is a listener failing under us, which scrapers see.
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Addr is the address served, with the real port when port 0 was asked.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops serving, giving scrapes in progress a moment to finish.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	<-s.done
}
