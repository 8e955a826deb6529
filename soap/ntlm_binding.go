package soap

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"strings"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/internal/chanbind"
)

// NTLM channel binding (Extended Protection, protocol.md §4.6). go-ntlmssp
// v0.1.1 copies the CHALLENGE's TargetInfo verbatim into the NTLMv2
// client blob and never adds MsvAvChannelBindings itself. bindNTLM stands
// between the Negotiator and the connection: when a CHALLENGE arrives
// over TLS it adds the pair, the MD5 of the gss_channel_bindings_struct
// for the certificate of that very connection, to the TargetInfo, so that
// go-ntlmssp echoes it inside the blob the NTProofStr covers, where
// Windows clients put it. The lanes keep one connection each, so the
// AUTHENTICATE rides the connection whose certificate it is bound to.

// avChannelBindings and avEOL are MS-NLMP 2.2.2.1 AV ids.
const (
	avEOL             = 0x0000
	avChannelBindings = 0x000A
)

// channelBindingOff turns channel binding off (through
// authkind.WithoutChannelBinding), for tests that show what a client
// without it meets at a site that requires it.
var channelBindingOff = false

type bindNTLM struct{ next http.RoundTripper }

func (b bindNTLM) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || resp.TLS == nil || authkind.ChannelBindingOff(req.Context()) {
		return resp, err
	}
	values := resp.Header.Values("Www-Authenticate")
	if len(values) == 0 {
		return resp, nil
	}
	rewritten := make([]string, len(values))
	for i, v := range values {
		rewritten[i] = v
		scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
		if !ok || (scheme != "NTLM" && scheme != "Negotiate") {
			continue
		}
		msg, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
		if err != nil || len(msg) < 12 || string(msg[:8]) != "NTLMSSP\x00" || binary.LittleEndian.Uint32(msg[8:12]) != 2 {
			continue // not an NTLM CHALLENGE (a Kerberos token, say)
		}
		tok, err := chanbind.ForConnection(resp.TLS)
		if err != nil {
			noteBinding(req, err)
			continue
		}
		bound, err := addChannelBindings(msg, tok)
		if err != nil {
			noteBinding(req, err)
			continue
		}
		rewritten[i] = scheme + " " + base64.StdEncoding.EncodeToString(bound)
	}
	resp.Header["Www-Authenticate"] = rewritten
	return resp, nil
}

// errNoTargetInfo is a CHALLENGE without TargetInfo: NTLMv2 then has no
// AV pairs to carry a binding in.
var errNoTargetInfo = errors.New("the server's NTLM challenge carries no target information to add a channel binding to")

// addChannelBindings returns a copy of the CHALLENGE message with
// MsvAvChannelBindings = tok in its TargetInfo, before MsvAvEOL (a pair
// the server sent is replaced). The new TargetInfo goes at the end of the
// message and its field is pointed there; every length and offset read
// is bounds-checked.
func addChannelBindings(challenge []byte, tok chanbind.Token) ([]byte, error) {
	const tiField = 40 // TargetInfo's len/maxLen/offset in a CHALLENGE
	if len(challenge) < tiField+8 || string(challenge[:8]) != "NTLMSSP\x00" {
		return nil, errors.New("malformed NTLM challenge")
	}
	n := int(binary.LittleEndian.Uint16(challenge[tiField:]))
	off := int(binary.LittleEndian.Uint32(challenge[tiField+4:]))
	if n == 0 {
		return nil, errNoTargetInfo
	}
	if off < 0 || off > len(challenge) || n > len(challenge)-off {
		return nil, errors.New("malformed NTLM challenge: target information runs past the message")
	}
	ti := challenge[off : off+n]
	var out []byte
	for {
		if len(ti) < 4 {
			return nil, errors.New("malformed NTLM challenge: target information without an end")
		}
		id := binary.LittleEndian.Uint16(ti)
		l := int(binary.LittleEndian.Uint16(ti[2:]))
		if id == avEOL {
			break
		}
		if 4+l > len(ti) {
			return nil, errors.New("malformed NTLM challenge: a target information pair runs past its end")
		}
		if id != avChannelBindings {
			out = append(out, ti[:4+l]...)
		}
		ti = ti[4+l:]
	}
	out = binary.LittleEndian.AppendUint16(out, avChannelBindings)
	out = binary.LittleEndian.AppendUint16(out, chanbind.Size)
	out = append(out, tok[:]...)
	out = append(out, 0, 0, 0, 0) // MsvAvEOL
	if len(out) > 0xFFFF {
		return nil, errors.New("malformed NTLM challenge: target information too long")
	}
	msg := append([]byte(nil), challenge...)
	binary.LittleEndian.PutUint16(msg[tiField:], uint16(len(out)))
	binary.LittleEndian.PutUint16(msg[tiField+2:], uint16(len(out)))
	binary.LittleEndian.PutUint32(msg[tiField+4:], uint32(len(challenge)))
	return append(msg, out...), nil
}

// bindingNoteKey finds, in a request's context, where bindNTLM notes why
// it could not bind a login, for the error a refusal then becomes.
type bindingNoteKey struct{}

func noteBinding(req *http.Request, err error) {
	if p, ok := req.Context().Value(bindingNoteKey{}).(*error); ok {
		*p = err
	}
}
