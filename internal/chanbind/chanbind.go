// Package chanbind computes TLS channel bindings for Extended Protection
// for Authentication (protocol.md §4.6): the tls-server-end-point binding
// of RFC 5929 §4.1, wrapped in the gss_channel_bindings_struct of RFC 2744
// §3.11 and reduced to the 16-byte MD5 that NTLMv2 carries as
// MsvAvChannelBindings and Kerberos as the Bnd field of its authenticator
// checksum (RFC 4121 §4.1.1.2). Client and simulator share it, so both
// sides hash the same way; tests hold it to an implementation that is not
// ours (Python's ntlm-auth).
package chanbind

import (
	"crypto"
	"crypto/md5"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"

	_ "crypto/sha256" // registers SHA-256 for crypto.Hash.New
	_ "crypto/sha512" // registers SHA-384 and SHA-512
)

// Size is the length of a channel binding token.
const Size = md5.Size

// Token is the MD5 of a gss_channel_bindings_struct. The zero Token is
// what a client without bindings sends.
type Token [Size]byte

// IsZero reports whether t says "no channel bindings".
func (t Token) IsZero() bool { return t == Token{} }

// prefix starts the application data of a tls-server-end-point binding.
const prefix = "tls-server-end-point:"

// ErrNoHash is returned for a certificate whose signature algorithm names
// no single hash (Ed25519, unknown algorithms): RFC 5929 leaves its
// tls-server-end-point binding undefined.
var ErrNoHash = errors.New("chanbind: the certificate's signature algorithm names no hash, so RFC 5929 defines no tls-server-end-point binding for it")

// EndPointHash returns the hash function RFC 5929 §4.1 prescribes for
// cert: its signature hash, except that MD5 and SHA-1 become SHA-256.
func EndPointHash(cert *x509.Certificate) (crypto.Hash, error) {
	switch cert.SignatureAlgorithm {
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1,
		x509.SHA256WithRSA, x509.SHA256WithRSAPSS, x509.ECDSAWithSHA256, x509.DSAWithSHA256:
		return crypto.SHA256, nil
	case x509.SHA384WithRSA, x509.SHA384WithRSAPSS, x509.ECDSAWithSHA384:
		return crypto.SHA384, nil
	case x509.SHA512WithRSA, x509.SHA512WithRSAPSS, x509.ECDSAWithSHA512:
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("%w (%v)", ErrNoHash, cert.SignatureAlgorithm)
}

// ApplicationData returns "tls-server-end-point:" followed by the hash of
// the DER certificate.
func ApplicationData(cert *x509.Certificate) ([]byte, error) {
	h, err := EndPointHash(cert)
	if err != nil {
		return nil, err
	}
	d := h.New()
	d.Write(cert.Raw)
	return d.Sum([]byte(prefix)), nil
}

// FromApplicationData hashes a gss_channel_bindings_struct with no
// addresses and the given application data: five little-endian fields
// (initiator address type and length, acceptor address type and length,
// application data length) with the application data last.
func FromApplicationData(appData []byte) Token {
	b := make([]byte, 0, 20+len(appData))
	for range 4 {
		b = binary.LittleEndian.AppendUint32(b, 0)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(appData)))
	b = append(b, appData...)
	return Token(md5.Sum(b))
}

// ForCertificate is the token that binds a login to a TLS connection
// whose server presented cert as its leaf.
func ForCertificate(cert *x509.Certificate) (Token, error) {
	ad, err := ApplicationData(cert)
	if err != nil {
		return Token{}, err
	}
	return FromApplicationData(ad), nil
}

// ForConnection is ForCertificate for the leaf certificate of a finished
// handshake. It fails for a connection without a peer certificate.
func ForConnection(cs *tls.ConnectionState) (Token, error) {
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return Token{}, errors.New("chanbind: the TLS connection has no peer certificate")
	}
	return ForCertificate(cs.PeerCertificates[0])
}
