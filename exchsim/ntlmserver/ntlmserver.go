// Package ntlmserver is the server half of NTLMv2 (MS-NLMP) connection
// authentication, just enough for a test double: it reads NEGOTIATE
// messages, builds CHALLENGE messages and verifies the NTProofStr in
// AUTHENTICATE messages. It does no signing, sealing or key exchange and
// never offers them, so clients such as github.com/Azure/go-ntlmssp (which
// refuse KEY_EXCH and LM_KEY) accept its challenges.
//
// Every length and offset read from the wire is bounds-checked: parsers
// return an error, never panic, on short or hostile input.
package ntlmserver

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //lint:ignore SA1019 NTLM is defined over MD4; nothing else will do
)

// Message types, the uint32 after the "NTLMSSP\0" signature.
const (
	TypeNegotiate    = 1
	TypeChallenge    = 2
	TypeAuthenticate = 3
)

// Negotiate flags this package reads or sets (MS-NLMP 2.2.2.5).
const (
	FlagUnicode                 = 1 << 0
	FlagOEM                     = 1 << 1
	FlagRequestTarget           = 1 << 2
	FlagLMKey                   = 1 << 7
	FlagNTLM                    = 1 << 9
	FlagAlwaysSign              = 1 << 15
	FlagExtendedSessionSecurity = 1 << 19
	FlagTargetInfo              = 1 << 23
	Flag128                     = 1 << 29
	FlagKeyExch                 = 1 << 30
	Flag56                      = 1 << 31
)

// challengeFlags deliberately omit KEY_EXCH and LM_KEY: go-ntlmssp v0.1.x
// rejects a challenge carrying either.
const challengeFlags = FlagNTLM | FlagExtendedSessionSecurity | FlagTargetInfo |
	FlagAlwaysSign | Flag128 | Flag56 | FlagRequestTarget

var signature = []byte("NTLMSSP\x00")

// ErrMalformed is wrapped by every parse error.
var ErrMalformed = errors.New("ntlmserver: malformed message")

// MessageType returns the type of an NTLMSSP message after checking its
// signature.
func MessageType(b []byte) (uint32, error) {
	if len(b) < 12 || string(b[:8]) != string(signature) {
		return 0, fmt.Errorf("%w: no NTLMSSP signature", ErrMalformed)
	}
	return binary.LittleEndian.Uint32(b[8:12]), nil
}

// Negotiate is a parsed NEGOTIATE message. Domain and Workstation are the
// client machine's, OEM-encoded, and often empty.
type Negotiate struct {
	Flags       uint32
	Domain      string
	Workstation string
}

// ParseNegotiate parses a NEGOTIATE message. The short 16-byte form (no
// domain/workstation fields) that old clients send is accepted.
func ParseNegotiate(b []byte) (*Negotiate, error) {
	if err := expectType(b, TypeNegotiate, 16); err != nil {
		return nil, err
	}
	n := &Negotiate{Flags: binary.LittleEndian.Uint32(b[12:16])}
	if n.Flags&(FlagUnicode|FlagOEM) == 0 {
		return nil, fmt.Errorf("%w: negotiate offers neither Unicode nor OEM", ErrMalformed)
	}
	if len(b) >= 32 {
		d, err := varField(b, 16)
		if err != nil {
			return nil, err
		}
		w, err := varField(b, 24)
		if err != nil {
			return nil, err
		}
		n.Domain, n.Workstation = string(d), string(w)
	}
	return n, nil
}

// Target names the simulated server in CHALLENGE messages.
type Target struct {
	NbDomain    string // e.g. CORP
	NbComputer  string // e.g. EXCH01
	DNSDomain   string // e.g. corp.example
	DNSComputer string // e.g. exch01.corp.example
}

// Challenge is a CHALLENGE the server sent; it is kept per connection to
// verify the AUTHENTICATE that follows.
type Challenge struct {
	Flags           uint32
	ServerChallenge [8]byte
	TargetInfo      []byte // AV pairs, ending with MsvAvEOL
	raw             []byte
}

// Bytes returns the wire form of the CHALLENGE message.
func (c *Challenge) Bytes() []byte { return c.raw }

// NewChallenge answers neg with a fresh CHALLENGE, in Unicode unless the
// client offered only OEM. rand supplies the 8-byte server challenge; now
// becomes the MsvAvTimestamp.
func NewChallenge(neg *Negotiate, t Target, rand io.Reader, now time.Time) (*Challenge, error) {
	c := &Challenge{Flags: challengeFlags}
	unicode := neg == nil || neg.Flags&FlagUnicode != 0
	if unicode {
		c.Flags |= FlagUnicode
	} else {
		c.Flags |= FlagOEM
	}
	if _, err := io.ReadFull(rand, c.ServerChallenge[:]); err != nil {
		return nil, fmt.Errorf("ntlmserver: server challenge: %w", err)
	}

	// AV ids from MS-NLMP 2.2.2.1; values are always UTF-16LE.
	var ts [8]byte
	binary.LittleEndian.PutUint64(ts[:], fileTime(now))
	for _, av := range []struct {
		id  uint16
		val []byte
	}{
		{2, utf16le(t.NbDomain)},
		{1, utf16le(t.NbComputer)},
		{4, utf16le(t.DNSDomain)},
		{3, utf16le(t.DNSComputer)},
		{7, ts[:]},
		{0, nil},
	} {
		c.TargetInfo = binary.LittleEndian.AppendUint16(c.TargetInfo, av.id)
		c.TargetInfo = binary.LittleEndian.AppendUint16(c.TargetInfo, uint16(len(av.val)))
		c.TargetInfo = append(c.TargetInfo, av.val...)
	}

	targetName := []byte(t.NbDomain)
	if unicode {
		targetName = utf16le(t.NbDomain)
	}
	const headerLen = 48 // signature, type, TargetName, flags, challenge, reserved, TargetInfo
	b := append([]byte{}, signature...)
	b = binary.LittleEndian.AppendUint32(b, TypeChallenge)
	b = appendVarField(b, len(targetName), headerLen)
	b = binary.LittleEndian.AppendUint32(b, c.Flags)
	b = append(b, c.ServerChallenge[:]...)
	b = append(b, make([]byte, 8)...)
	b = appendVarField(b, len(c.TargetInfo), headerLen+len(targetName))
	b = append(b, targetName...)
	b = append(b, c.TargetInfo...)
	c.raw = b
	return c, nil
}

// Authenticate is a parsed AUTHENTICATE message.
type Authenticate struct {
	Flags               uint32
	LmChallengeResponse []byte
	NtChallengeResponse []byte
	Domain              string
	User                string
	Workstation         string
}

// ParseAuthenticate parses an AUTHENTICATE message. Strings are decoded as
// UTF-16LE when the message's flags say Unicode, else as OEM bytes.
func ParseAuthenticate(b []byte) (*Authenticate, error) {
	if err := expectType(b, TypeAuthenticate, 64); err != nil {
		return nil, err
	}
	a := &Authenticate{Flags: binary.LittleEndian.Uint32(b[60:64])}
	var fields [5][]byte
	for i := range fields {
		f, err := varField(b, 12+8*i)
		if err != nil {
			return nil, err
		}
		fields[i] = f
	}
	a.LmChallengeResponse, a.NtChallengeResponse = fields[0], fields[1]
	strs := []*string{&a.Domain, &a.User, &a.Workstation}
	for i, p := range strs {
		s, err := decodeString(fields[2+i], a.Flags&FlagUnicode != 0)
		if err != nil {
			return nil, err
		}
		*p = s
	}
	return a, nil
}

// minBlobLen is the NTLMv2 client blob without TargetInfo: RespType,
// HiRespType, 6 reserved, timestamp(8), client challenge(8), 4 reserved,
// and the trailing 4 zero bytes.
const minBlobLen = 8 + 8 + 8 + 4 + 4

// Verify reports whether a's NTLMv2 response proves knowledge of password
// for the user and domain a names, against this challenge. NTLMv1
// responses (24 bytes) are refused. The caller decides whether a.User and
// a.Domain are the account it expects.
func (c *Challenge) Verify(a *Authenticate, password string) bool {
	nt := a.NtChallengeResponse
	if len(nt) < 16+minBlobLen {
		return false
	}
	proof, blob := nt[:16], nt[16:]
	if blob[0] != 1 || blob[1] != 1 {
		return false
	}
	mac := hmac.New(md5.New, NTOWFv2(password, a.User, a.Domain))
	mac.Write(c.ServerChallenge[:])
	mac.Write(blob)
	return hmac.Equal(mac.Sum(nil), proof)
}

// AvChannelBindings is the AV id of MsvAvChannelBindings (MS-NLMP
// 2.2.2.1): the MD5 of a gss_channel_bindings_struct.
const AvChannelBindings = 0x000A

// blobAVOffset is where the AV pairs start in an NTLMv2 client blob:
// after RespType, HiRespType, 6 reserved, timestamp, client challenge and
// 4 reserved bytes.
const blobAVOffset = 28

// ChannelBindings returns the MsvAvChannelBindings value the client put in
// its NTLMv2 blob, and whether it put one there (an all-zero value, as
// some clients send for "none", is returned as present; the caller
// decides). Only a response that Verify accepted is worth asking: the
// blob is inside the NTProofStr, so a verified one was not altered.
func (a *Authenticate) ChannelBindings() (value []byte, present bool) {
	nt := a.NtChallengeResponse
	if len(nt) < 16+blobAVOffset {
		return nil, false
	}
	av := nt[16+blobAVOffset:]
	for len(av) >= 4 {
		id := binary.LittleEndian.Uint16(av)
		n := int(binary.LittleEndian.Uint16(av[2:]))
		if id == 0 || 4+n > len(av) {
			return nil, false
		}
		if id == AvChannelBindings {
			return av[4 : 4+n], true
		}
		av = av[4+n:]
	}
	return nil, false
}

// NTOWFv2 is HMAC-MD5(MD4(UTF16LE(password)), UTF16LE(UPPER(user)+domain)).
func NTOWFv2(password, user, domain string) []byte {
	h := md4.New()
	h.Write(utf16le(password))
	mac := hmac.New(md5.New, h.Sum(nil))
	mac.Write(utf16le(strings.ToUpper(user) + domain))
	return mac.Sum(nil)
}

func expectType(b []byte, want uint32, minLen int) error {
	typ, err := MessageType(b)
	if err != nil {
		return err
	}
	if typ != want {
		return fmt.Errorf("%w: message type %d, want %d", ErrMalformed, typ, want)
	}
	if len(b) < minLen {
		return fmt.Errorf("%w: %d bytes, want at least %d", ErrMalformed, len(b), minLen)
	}
	return nil
}

// varField reads the (len uint16, maxLen uint16, offset uint32) descriptor
// at pos and returns the payload bytes it points to.
func varField(b []byte, pos int) ([]byte, error) {
	if pos+8 > len(b) {
		return nil, fmt.Errorf("%w: truncated field descriptor", ErrMalformed)
	}
	n := uint64(binary.LittleEndian.Uint16(b[pos:]))
	off := uint64(binary.LittleEndian.Uint32(b[pos+4:]))
	if n == 0 {
		return nil, nil
	}
	if off+n > uint64(len(b)) {
		return nil, fmt.Errorf("%w: field at %d runs past the message", ErrMalformed, pos)
	}
	return b[off : off+n], nil
}

func appendVarField(b []byte, n, off int) []byte {
	b = binary.LittleEndian.AppendUint16(b, uint16(n))
	b = binary.LittleEndian.AppendUint16(b, uint16(n))
	return binary.LittleEndian.AppendUint32(b, uint32(off))
}

func decodeString(b []byte, unicode bool) (string, error) {
	if !unicode {
		return string(b), nil
	}
	if len(b)%2 != 0 {
		return "", fmt.Errorf("%w: odd-length UTF-16 string", ErrMalformed)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// fileTime is t as a Windows FILETIME: 100 ns ticks since 1601-01-01.
func fileTime(t time.Time) uint64 {
	const epochDelta = 116444736000000000 // 1601 to 1970 in 100 ns ticks
	return uint64(t.UnixNano()/100) + epochDelta
}
