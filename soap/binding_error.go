package soap

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"strings"
)

// ChannelBinding describes, on a refused login over https, the TLS
// certificate callctl bound the login to (Extended Protection,
// protocol.md §4.6). A server that requires Extended Protection gives no
// reason with its 401; a login bound to a certificate that is not the
// server's own (a TLS-inspecting proxy or a load balancer that ends TLS
// in front of Exchange) is refused just like a wrong password, so the
// error says which certificate that was.
type ChannelBinding struct {
	Subject string // the leaf certificate's subject, e.g. "CN=mail.corp.example"
	Issuer  string
	SHA256  string // fingerprint of the DER certificate, colon-separated hex
	// NotSent says why no binding could be sent, "" if one was.
	NotSent string
}

// bindingOf describes the certificate of cs; nil for a connection
// without TLS or a certificate.
func bindingOf(cs *tls.ConnectionState, notSent error) *ChannelBinding {
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return nil
	}
	leaf := cs.PeerCertificates[0]
	sum := sha256.Sum256(leaf.Raw)
	b := &ChannelBinding{
		Subject: sanitize(leaf.Subject.String(), 200),
		Issuer:  sanitize(leaf.Issuer.String(), 200),
		SHA256:  fingerprint(sum[:]),
	}
	if channelBindingOff {
		b.NotSent = "channel binding is turned off"
	}
	if notSent != nil {
		b.NotSent = notSent.Error()
	}
	return b
}

func fingerprint(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}

// explain is the sentence HTTPError adds to a 401 over https.
func (b *ChannelBinding) explain() string {
	if b.NotSent != "" {
		return fmt.Sprintf("no Extended Protection channel binding could be sent (%s), so an Exchange that requires Extended Protection refuses the login whatever the password", b.NotSent)
	}
	return fmt.Sprintf("the login was bound (Extended Protection) to the certificate the server presented, %s issued by %s, SHA-256 %s; "+
		"if the credentials are right, that certificate is not Exchange's own: a TLS-inspecting proxy or a load balancer that ends TLS in front of Exchange causes a certificate mismatch that Extended Protection refuses. "+
		"Compare the fingerprint with Exchange's certificate, and connect directly or with TLS passed through",
		b.Subject, b.Issuer, b.SHA256)
}
