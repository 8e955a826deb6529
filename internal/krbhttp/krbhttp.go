// Package krbhttp builds and reads the Kerberos tokens of HTTP Negotiate
// (RFC 4559): a SPNEGO NegTokenInit wrapping a Kerberos AP-REQ whose
// authenticator checksum (RFC 4121 §4.1.1) carries the TLS channel
// binding in its Bnd field, and the KRB-ERROR a service answers with.
// gokrb5 (v8) does the Kerberos; it writes the checksum with Bnd zero and
// has no way to set it, so the authenticator is built here from its
// types. The client (package soap) and the simulator (exchsim) share it.
package krbhttp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/jcmturner/gofork/encoding/asn1"
	"time"

	"github.com/jcmturner/gokrb5/v8/asn1tools"
	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/callctl/callctl/internal/chanbind"
)

// GSS-API context flags asked for in the checksum: integrity and
// confidentiality, as gokrb5 asks. Mutual authentication is not asked
// for: callctl does not check an AP-REP.
const checksumFlags = gssapi.ContextFlagInteg | gssapi.ContextFlagConf

// Token IDs of RFC 1964 §1.1 inside a KRB5 mechanism token.
var (
	tokIDAPReq    = []byte{0x01, 0x00}
	tokIDKRBError = []byte{0x03, 0x00}
)

// Checksum is the RFC 4121 §4.1.1 authenticator checksum: Lgth (16),
// Bnd (the channel binding token, zero without bindings) and Flags, all
// little-endian.
func Checksum(binding chanbind.Token) types.Checksum {
	b := make([]byte, 24)
	binary.LittleEndian.PutUint32(b[0:4], chanbind.Size)
	copy(b[4:20], binding[:])
	binary.LittleEndian.PutUint32(b[20:24], uint32(checksumFlags))
	return types.Checksum{CksumType: chksumtype.GSSAPI, Checksum: b}
}

// Binding returns the Bnd field of an authenticator checksum; nil when
// the checksum is not the GSS-API kind or is too short.
func Binding(c types.Checksum) []byte {
	if c.CksumType != chksumtype.GSSAPI || len(c.Checksum) < 24 || binary.LittleEndian.Uint32(c.Checksum) != chanbind.Size {
		return nil
	}
	return c.Checksum[4:20]
}

// InitToken returns the SPNEGO NegTokenInit for spn: an AP-REQ for the
// service ticket cl gets (from its cache, or from the KDC), with an
// authenticator whose checksum carries binding.
func InitToken(cl *client.Client, spn string, binding chanbind.Token) ([]byte, error) {
	tkt, key, err := cl.GetServiceTicket(spn)
	if err != nil {
		return nil, err
	}
	auth, err := types.NewAuthenticator(cl.Credentials.Domain(), cl.Credentials.CName())
	if err != nil {
		return nil, fmt.Errorf("kerberos authenticator: %w", err)
	}
	auth.Cksum = Checksum(binding)
	apreq, err := messages.NewAPReq(tkt, key, auth)
	if err != nil {
		return nil, fmt.Errorf("kerberos AP-REQ: %w", err)
	}
	ab, err := apreq.Marshal()
	if err != nil {
		return nil, fmt.Errorf("kerberos AP-REQ: %w", err)
	}
	mech, err := mechToken(tokIDAPReq, ab)
	if err != nil {
		return nil, err
	}
	tok := spnego.SPNEGOToken{Init: true, NegTokenInit: spnego.NegTokenInit{
		MechTypes:      []asn1.ObjectIdentifier{gssapi.OIDKRB5.OID()},
		MechTokenBytes: mech,
	}}
	return tok.Marshal()
}

// mechToken is the RFC 2743 §3.1 framing of a KRB5 mechanism token.
func mechToken(tokID, msg []byte) ([]byte, error) {
	oid, err := asn1.Marshal(gssapi.OIDKRB5.OID())
	if err != nil {
		return nil, err
	}
	b := append(oid, tokID...)
	return asn1tools.AddASNAppTag(append(b, msg...), 0), nil
}

// ErrNotKerberos is a Negotiate token that holds no Kerberos AP-REQ (an
// NTLM token, say).
var ErrNotKerberos = errors.New("the Negotiate token holds no Kerberos AP-REQ")

// ParseInit reads the AP-REQ out of a Negotiate token: a SPNEGO
// NegTokenInit, or a bare KRB5 mechanism token as some clients send.
func ParseInit(b []byte) (messages.APReq, error) {
	var spn spnego.SPNEGOToken
	mech := b
	if err := spn.Unmarshal(b); err == nil && spn.Init {
		mech = spn.NegTokenInit.MechTokenBytes
	}
	var kt spnego.KRB5Token
	if err := kt.Unmarshal(mech); err != nil || !kt.IsAPReq() {
		return messages.APReq{}, ErrNotKerberos
	}
	return kt.APReq, nil
}

// ErrorToken wraps a KRB-ERROR as a service answers with it in
// WWW-Authenticate: Negotiate: a SPNEGO NegTokenResp (reject) whose
// response token is the KRB5 mechanism token.
func ErrorToken(e messages.KRBError) ([]byte, error) {
	eb, err := e.Marshal()
	if err != nil {
		return nil, err
	}
	mech, err := mechToken(tokIDKRBError, eb)
	if err != nil {
		return nil, err
	}
	resp := spnego.SPNEGOToken{Resp: true, NegTokenResp: spnego.NegTokenResp{
		NegState:      asn1.Enumerated(spnego.NegStateReject),
		SupportedMech: gssapi.OIDKRB5.OID(),
		ResponseToken: mech,
	}}
	return resp.Marshal()
}

// ParseError reads a KRB-ERROR out of a service's Negotiate token
// (NegTokenResp or bare KRB5 token); ok is false if it holds none.
func ParseError(b []byte) (e messages.KRBError, ok bool) {
	var spn spnego.SPNEGOToken
	mech := b
	if err := spn.Unmarshal(b); err == nil && spn.Resp {
		mech = spn.NegTokenResp.ResponseToken
	}
	var kt spnego.KRB5Token
	if err := kt.Unmarshal(mech); err != nil || !kt.IsKRBError() {
		return messages.KRBError{}, false
	}
	return kt.KRBError, true
}

// ServerTime is when a KRB-ERROR says the server's clock stood.
func ServerTime(e messages.KRBError) time.Time {
	return e.STime.Add(time.Duration(e.Susec) * time.Microsecond)
}
