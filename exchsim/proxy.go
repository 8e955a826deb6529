package exchsim

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// TLSProxy ends TLS in front of a Server with a certificate of its own
// and opens a new TLS connection to the server for every client
// connection, as a TLS-inspecting middlebox or a load balancer that
// offloads TLS does. Each client connection keeps its own upstream
// connection, so connection-bound logins still work through it; but a
// client that binds its login to the certificate it sees binds it to
// the proxy's, which Extended Protection refuses.
type TLSProxy struct {
	// URL is "https://127.0.0.1:PORT", without a trailing slash.
	URL string

	gen      *generatedTLS
	listener net.Listener
	upstream *tls.Config
	target   string
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	closed   bool
}

// NewTLSProxy starts a proxy in front of s, which must serve https, with
// a certificate of its own.
func NewTLSProxy(s *Server) (*TLSProxy, error) {
	gen, err := generateTLS(time.Now())
	if err != nil {
		return nil, err
	}
	return newProxy(s, gen)
}

// NewTLSBridge starts a proxy in front of s that presents s's own
// certificate, as a TLS bridge given Exchange's certificate and key does:
// channel bindings stay valid through it.
func NewTLSBridge(s *Server) (*TLSProxy, error) {
	return newProxy(s, &generatedTLS{caPEM: s.caPEM, leaf: s.cert})
}

func newProxy(s *Server, gen *generatedTLS) (*TLSProxy, error) {
	if !s.TLS() {
		return nil, fmt.Errorf("exchsim: a TLS proxy needs a server that serves https")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	up := s.ClientTLSConfig()
	up.RootCAs.AddCert(s.cert.Leaf) // a given certificate may be self-signed
	p := &TLSProxy{
		URL:      "https://" + ln.Addr().String(),
		gen:      gen,
		listener: tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{gen.leaf}, NextProtos: []string{"http/1.1"}}),
		upstream: up,
		target:   s.listener.Addr().String(),
		conns:    map[net.Conn]struct{}{},
	}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// CACertPEM is the CA of the proxy's own certificate, which clients
// behind such a middlebox are made to trust.
func (p *TLSProxy) CACertPEM() []byte { return p.gen.caPEM }

// EWSURL is the EWS endpoint as seen through the proxy.
func (p *TLSProxy) EWSURL() string { return p.URL + EWSPath }

func (p *TLSProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.listener.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.relay(c)
	}
}

func (p *TLSProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *TLSProxy) relay(down net.Conn) {
	defer p.wg.Done()
	defer down.Close()
	up, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", p.target, p.upstream)
	if err != nil {
		return
	}
	defer up.Close()
	if !p.track(down) || !p.track(up) {
		return
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, down); up.CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(down, up); done <- struct{}{} }()
	<-done
	<-done
}

// Close stops the proxy and closes every connection through it.
func (p *TLSProxy) Close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.listener.Close()
	p.wg.Wait()
}
