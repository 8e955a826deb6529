package chanbind

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callctl/callctl/internal/extools"
)

// selfSigned makes a certificate signed with alg by a fresh key of the
// kind alg needs.
func selfSigned(t *testing.T, alg x509.SignatureAlgorithm) *x509.Certificate {
	t.Helper()
	var key crypto.Signer
	var err error
	switch alg {
	case x509.ECDSAWithSHA1, x509.ECDSAWithSHA256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case x509.ECDSAWithSHA384, x509.ECDSAWithSHA512:
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case x509.PureEd25519:
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(1),
		Subject:            pkix.Name{CommonName: "mail.corp.example"},
		NotBefore:          time.Now().Add(-time.Hour),
		NotAfter:           time.Now().Add(time.Hour),
		SignatureAlgorithm: alg,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Skipf("cannot create a %v certificate here: %v", alg, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// RFC 5929 §4.1: the signature's hash, except MD5 and SHA-1 which become
// SHA-256; an algorithm without a hash has no binding.
func TestEndPointHash(t *testing.T) {
	for _, tc := range []struct {
		alg  x509.SignatureAlgorithm
		want crypto.Hash
	}{
		{x509.SHA1WithRSA, crypto.SHA256},
		{x509.ECDSAWithSHA1, crypto.SHA256},
		{x509.SHA256WithRSA, crypto.SHA256},
		{x509.ECDSAWithSHA256, crypto.SHA256},
		{x509.SHA256WithRSAPSS, crypto.SHA256},
		{x509.SHA384WithRSA, crypto.SHA384},
		{x509.ECDSAWithSHA384, crypto.SHA384},
		{x509.SHA512WithRSA, crypto.SHA512},
		{x509.ECDSAWithSHA512, crypto.SHA512},
		{x509.MD5WithRSA, crypto.SHA256},
	} {
		got, err := EndPointHash(&x509.Certificate{SignatureAlgorithm: tc.alg})
		if err != nil || got != tc.want {
			t.Errorf("%v: %v, %v; want %v", tc.alg, got, err, tc.want)
		}
	}
	if _, err := ForCertificate(selfSigned(t, x509.PureEd25519)); !errors.Is(err, ErrNoHash) {
		t.Errorf("Ed25519: err = %v, want ErrNoHash", err)
	}
}

// The serialisation by hand, for one value: 16 zero bytes, the length,
// the data.
func TestFromApplicationDataLayout(t *testing.T) {
	ad := []byte("tls-server-end-point:abc")
	raw := append(make([]byte, 16), byte(len(ad)), 0, 0, 0)
	raw = append(raw, ad...)
	want := Token(md5Sum(raw))
	if got := FromApplicationData(ad); got != want {
		t.Errorf("token %x, want %x", got, want)
	}
	if (Token{}).IsZero() != true || want.IsZero() {
		t.Error("IsZero wrong")
	}
}

// The tokens agree with Python's requests_ntlm and ntlm-auth (Debian's
// python3-requests-ntlm), which Windows servers accept (RSA-PSS is left
// out: that cryptography build cannot name its hash): the certificate
// hash from requests_ntlm's _get_certificate_hash, the struct from
// ntlm_auth's GssChannelBindingsStruct, MD5 as ntlm_auth takes it.
func TestTokensMatchPythonNTLMAuth(t *testing.T) {
	python := extools.Python(t, "requests_ntlm", "ntlm_auth.gss_channel_bindings")
	dir := t.TempDir()
	algs := []x509.SignatureAlgorithm{
		x509.SHA1WithRSA, x509.ECDSAWithSHA256, x509.SHA256WithRSA,
		x509.ECDSAWithSHA384, x509.SHA384WithRSA, x509.SHA512WithRSA,
	}
	var files []string
	var want []string
	for _, alg := range algs {
		cert := selfSigned(t, alg)
		f := filepath.Join(dir, alg.String()+".der")
		if err := os.WriteFile(f, cert.Raw, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		tok, err := ForCertificate(cert)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, hex.EncodeToString(tok[:]))
	}
	script := `
import sys, base64, hashlib
from requests_ntlm.requests_ntlm import _get_certificate_hash
from ntlm_auth.gss_channel_bindings import GssChannelBindingsStruct
for name in sys.argv[1:]:
    h = _get_certificate_hash(open(name, "rb").read())
    g = GssChannelBindingsStruct()
    g[g.APPLICATION_DATA] = b"tls-server-end-point:" + base64.b16decode(h)
    print(hashlib.md5(g.get_data()).hexdigest())
`
	out, err := exec.Command(python, append([]string{"-c", script}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	if len(got) != len(want) {
		t.Fatalf("python printed %q", out)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%v: python %s, ours %s", algs[i], got[i], want[i])
		}
	}
}

func md5Sum(b []byte) [16]byte { return md5.Sum(b) }
