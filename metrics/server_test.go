package metrics

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func startServer(t *testing.T, o ServerOptions) *Server {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	s, err := Start(o, New(), NewHealth(time.Minute, time.Minute, nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestConnCap(t *testing.T) {
	for limit, want := range map[uint64]int{16: minConns, 1024: 128, 4096: maxConns, 1 << 40: maxConns} {
		if got := capFor(limit); got != want {
			t.Errorf("capFor(%d) = %d, want %d", limit, got, want)
		}
	}
}

// A client that connects and sends nothing is dropped after the
// read-header timeout, rather than holding a descriptor for ever.
func TestIdleClientIsDropped(t *testing.T) {
	t.Parallel()
	s := startServer(t, ServerOptions{})
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(3 * readHeaderTimeout))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read from an idle connection: %v, want EOF (closed by the server)", err)
	}
	if took := time.Since(start); took < readHeaderTimeout-time.Second {
		t.Errorf("closed after %s", took)
	}
	t.Logf("idle connection closed after %s", time.Since(start).Round(time.Millisecond))
}

// Connections over the cap wait for a free slot; they are served once
// one is.
func TestConnectionCap(t *testing.T) {
	s := startServer(t, ServerOptions{MaxConns: 2})
	var idle []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	time.Sleep(100 * time.Millisecond) // both accepted
	client := &http.Client{Timeout: 300 * time.Millisecond}
	if resp, err := client.Get("http://" + s.Addr() + "/livez"); err == nil {
		resp.Body.Close()
		t.Fatal("a third connection was served over a cap of 2")
	}
	idle[0].Close()
	client.Timeout = 5 * time.Second
	resp, err := client.Get("http://" + s.Addr() + "/livez")
	if err != nil {
		t.Fatalf("no slot freed by closing a connection: %v", err)
	}
	resp.Body.Close()
}

// A listener failing under the server is reported: Done closes and Err
// says why. After Close, Err stays nil.
func TestServerDeathIsReported(t *testing.T) {
	s := startServer(t, ServerOptions{})
	s.ln.Close()
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("server still running with its listener closed")
	}
	if s.Err() == nil {
		t.Error("no error for a server that stopped on its own")
	}
	quiet := startServer(t, ServerOptions{})
	quiet.Close()
	if quiet.Err() != nil {
		t.Errorf("Err after Close: %v", quiet.Err())
	}
}

// An empty host listens everywhere, and says so.
func TestListeningEverywhere(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:0": false, ":0": true, "0.0.0.0:0": true} {
		if s := startServer(t, ServerOptions{Addr: addr}); s.Listening.Everywhere != want {
			t.Errorf("%s: Everywhere = %v", addr, s.Listening.Everywhere)
		}
	}
}

// writeTLS writes a self-signed certificate for 127.0.0.1 and its key.
func writeTLS(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "callctl test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// -metrics-web-config: TLS and basic auth from Prometheus' web config
// file, for the metrics and the probes alike.
func TestWebConfigTLSAndBasicAuth(t *testing.T) {
	dir := t.TempDir()
	pool := writeTLS(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte("scrape-pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "web.yml")
	os.WriteFile(config, []byte("tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  prometheus: "+string(hash)+"\n"), 0o600)
	s := startServer(t, ServerOptions{WebConfig: config})
	if !s.Listening.TLS || !s.Listening.BasicAuth {
		t.Errorf("Listening = %+v, want TLS and basic auth", s.Listening)
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for _, tc := range []struct {
		path, user, password string
		want                 int
	}{
		{"/metrics", "", "", http.StatusUnauthorized},
		{"/readyz", "", "", http.StatusUnauthorized},
		{"/metrics", "prometheus", "wrong", http.StatusUnauthorized},
		{"/metrics", "prometheus", "scrape-pw", http.StatusOK},
		{"/livez", "prometheus", "scrape-pw", http.StatusOK},
	} {
		req, _ := http.NewRequest("GET", "https://"+s.Addr()+tc.path, nil)
		if tc.user != "" {
			req.SetBasicAuth(tc.user, tc.password)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s as %q: %d, want %d", tc.path, tc.user, resp.StatusCode, tc.want)
		}
	}
	if resp, err := http.Get("http://" + s.Addr() + "/metrics"); err == nil {
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP served metrics on a TLS server")
		}
		resp.Body.Close()
	}
}

// A web config that cannot be used is refused before anything listens,
// with its path.
func TestBadWebConfig(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"unknown key":  "tls_server_config:\n  cert_fil: cert.pem\n",
		"missing cert": "tls_server_config:\n  cert_file: nope.pem\n  key_file: nope.pem\n",
		"not yaml":     "{{{",
	} {
		path := filepath.Join(dir, "web.yml")
		os.WriteFile(path, []byte(content), 0o600)
		_, err := Start(ServerOptions{Addr: "127.0.0.1:0", WebConfig: path}, New(), NewHealth(time.Minute, time.Minute, nil))
		var wc *WebConfigError
		if !errors.As(err, &wc) || wc.Path != path {
			t.Errorf("%s: err = %v, want a WebConfigError for %s", name, err, path)
		}
	}
	if _, err := Start(ServerOptions{Addr: "127.0.0.1:0", WebConfig: filepath.Join(dir, "absent.yml")}, New(), NewHealth(time.Minute, time.Minute, nil)); err == nil {
		t.Error("a missing web config was accepted")
	}
}
