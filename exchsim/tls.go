package exchsim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/callctl/callctl/internal/chanbind"
)

// certValidity is how long a generated certificate is valid: long enough
// for a simulator left running for a day's demo, short enough that the
// throwaway CA is worth nothing afterwards.
const certValidity = 30 * 24 * time.Hour

// generatedTLS is a throwaway CA and a leaf certificate it signed for
// 127.0.0.1, ::1 and localhost.
type generatedTLS struct {
	caPEM []byte
	leaf  tls.Certificate
}

// generateTLS makes a fresh CA and leaf with ECDSA P-256 keys, both signed
// with ECDSA-SHA256, so that the tls-server-end-point binding hashes the
// leaf with SHA-256.
func generateTLS(now time.Time) (*generatedTLS, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	ca := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "exchsim throwaway CA", Organization: []string{"exchsim"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, caKey.Public(), caKey)
	if err != nil {
		return nil, err
	}
	ca, err = x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leaf := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"exchsim"}},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, leafKey.Public(), caKey)
	if err != nil {
		return nil, err
	}
	parsed, err := x509.ParseCertificate(leafDER)
	if err != nil {
		return nil, err
	}
	return &generatedTLS{
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		leaf:  tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey, Leaf: parsed},
	}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

// setUpTLS picks the certificate the server presents (the given one, or a
// generated one) and computes the channel binding a client must send.
func (s *Server) setUpTLS() error {
	if !s.opts.TLS && s.opts.Certificate == nil {
		return nil
	}
	if s.opts.Certificate != nil {
		s.cert = *s.opts.Certificate
	} else {
		g, err := generateTLS(time.Now())
		if err != nil {
			return fmt.Errorf("exchsim: generating a TLS certificate: %w", err)
		}
		s.cert, s.caPEM = g.leaf, g.caPEM
	}
	if len(s.cert.Certificate) == 0 {
		return fmt.Errorf("exchsim: the TLS certificate is empty")
	}
	leaf := s.cert.Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(s.cert.Certificate[0]); err != nil {
			return fmt.Errorf("exchsim: the TLS certificate: %w", err)
		}
		s.cert.Leaf = leaf
	}
	tok, err := chanbind.ForCertificate(leaf)
	if err != nil && s.opts.EPA != EPANone {
		return fmt.Errorf("exchsim: -epa %s: %w", s.opts.EPA, err)
	}
	s.binding = tok
	return nil
}

// tlsListener wraps ln when the server serves https. HTTP/2 is not
// offered: connection-bound NTLM and Negotiate cannot survive it, and
// IIS turns it off for such logins.
func (s *Server) tlsListener(ln net.Listener) net.Listener {
	if len(s.cert.Certificate) == 0 {
		return ln
	}
	return tls.NewListener(ln, &tls.Config{
		Certificates: []tls.Certificate{s.cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	})
}

// TLS reports whether the server serves https.
func (s *Server) TLS() bool { return len(s.cert.Certificate) > 0 }

// CACertPEM returns the PEM certificate of the CA that signed a generated
// server certificate, for a client's ca_file; nil when the server serves
// plain http or a certificate it was given.
func (s *Server) CACertPEM() []byte { return s.caPEM }

// ClientTLSConfig returns a TLS client configuration that trusts the
// server's generated CA, for tests and tools that talk to it directly.
func (s *Server) ClientTLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.caPEM)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// LoadCertificate reads a PEM certificate (chain) and key for
// Options.Certificate.
func LoadCertificate(certFile, keyFile string) (*tls.Certificate, error) {
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("exchsim: -tls-cert %s -tls-key %s: %w", certFile, keyFile, err)
	}
	return &c, nil
}

// WriteCertificate generates a throwaway CA and a certificate it signed
// for 127.0.0.1, ::1 and localhost, and writes cert.pem (the chain),
// key.pem and ca.pem into dir: for harnesses that run several simulators
// (some as child processes, through -tls-cert and -tls-key) behind one CA.
func WriteCertificate(dir string) (certFile, keyFile, caFile string, err error) {
	g, err := generateTLS(time.Now())
	if err != nil {
		return "", "", "", err
	}
	var chain []byte
	for _, der := range g.leaf.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(g.leaf.PrivateKey)
	if err != nil {
		return "", "", "", err
	}
	certFile, keyFile, caFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ca.pem")
	for name, data := range map[string][]byte{
		certFile: chain,
		keyFile:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		caFile:   g.caPEM,
	} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			return "", "", "", err
		}
	}
	return certFile, keyFile, caFile, nil
}
