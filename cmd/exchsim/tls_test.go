package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callctl/callctl/exchsim"
)

// getStats fetches /_exchsim/stats over c.
func getStats(t *testing.T, c *http.Client, url string) exchsim.Stats {
	t.Helper()
	resp, err := c.Get(url + "/_exchsim/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st exchsim.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func trusting(t *testing.T, caPEM []byte) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("no certificate in %q", caPEM)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// -tls serves https with a generated certificate that the CA written to
// -tls-ca-out vouches for, under 127.0.0.1 and localhost alike.
func TestRunTLSGenerated(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	url, _ := start(t, "-tls", "-tls-ca-out", caFile, "-epa", "require", "-auth", "ntlm", "-user", `CORP\alice`, "-password", "secret")
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("URL %s, want https://127.0.0.1:PORT", url)
	}
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	c := trusting(t, caPEM)
	getStats(t, c, url)
	getStats(t, c, strings.Replace(url, "127.0.0.1", "localhost", 1))
	// Without the CA, the certificate is refused.
	if _, err := http.Get(url + "/_exchsim/stats"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("an untrusting client got err = %v, want a certificate error", err)
	}
}

// -tls-cert and -tls-key serve a given certificate.
func TestRunTLSGivenCertificate(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "mail.corp.example"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	url, _ := start(t, "-tls-cert", certFile, "-tls-key", keyFile)
	c := trusting(t, certPEM)
	resp, err := c.Get(url + "/_exchsim/stats")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.TLS.PeerCertificates[0].Subject.CommonName; got != "mail.corp.example" {
		t.Errorf("served %q, want the given certificate", got)
	}
}
