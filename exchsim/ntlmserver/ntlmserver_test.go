package ntlmserver

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/Azure/go-ntlmssp"
)

var testTarget = Target{NbDomain: "CORP", NbComputer: "EXCH01", DNSDomain: "corp.example", DNSComputer: "exch01.corp.example"}

// handshake runs NEGOTIATE and CHALLENGE with the real client library and
// returns the challenge and the client's AUTHENTICATE bytes.
func handshake(t *testing.T, user, password string) (*Challenge, []byte) {
	t.Helper()
	negBytes, err := ntlmssp.NewNegotiateMessage("", "")
	if err != nil {
		t.Fatal(err)
	}
	neg, err := ParseNegotiate(negBytes)
	if err != nil {
		t.Fatalf("ParseNegotiate(go-ntlmssp negotiate): %v", err)
	}
	ch, err := NewChallenge(neg, testTarget, rand.Reader, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	auth, err := ntlmssp.NewAuthenticateMessage(ch.Bytes(), user, password, nil)
	if err != nil {
		t.Fatalf("go-ntlmssp refused our challenge: %v", err)
	}
	return ch, auth
}

func TestVerifyWithGoNTLMSSP(t *testing.T) {
	tests := map[string]struct {
		user, password    string
		verifyPassword    string
		wantUser, wantDom string
		wantOK            bool
	}{
		"domain user":    {`CORP\alice`, "secret", "secret", "alice", "CORP", true},
		"wrong password": {`CORP\alice`, "wrong", "secret", "alice", "CORP", false},
		"upn":            {"alice@corp.example", "s3cr&t", "s3cr&t", "alice@corp.example", "", true},
		"unicode":        {`CORP\zoë`, "pässwörd", "pässwörd", "zoë", "CORP", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ch, authBytes := handshake(t, tc.user, tc.password)
			a, err := ParseAuthenticate(authBytes)
			if err != nil {
				t.Fatalf("ParseAuthenticate: %v", err)
			}
			if a.User != tc.wantUser || a.Domain != tc.wantDom {
				t.Errorf("user, domain = %q, %q; want %q, %q", a.User, a.Domain, tc.wantUser, tc.wantDom)
			}
			if got := ch.Verify(a, tc.verifyPassword); got != tc.wantOK {
				t.Errorf("Verify = %v, want %v", got, tc.wantOK)
			}
		})
	}
}

func TestVerifyRejectsReplayAgainstOtherChallenge(t *testing.T) {
	_, authBytes := handshake(t, `CORP\alice`, "secret")
	other, _ := handshake(t, `CORP\alice`, "secret")
	a, err := ParseAuthenticate(authBytes)
	if err != nil {
		t.Fatal(err)
	}
	if other.Verify(a, "secret") {
		t.Error("an AUTHENTICATE verified against a different server challenge")
	}
}

// TestNTLMv2Vector checks the maths against published examples: NTOWFv2
// from MS-NLMP 4.2.4.1.1 (User/Domain/Password), and a whole NTLMv2
// response from the davenport.sourceforge.net NTLM notes (user/DOMAIN/
// SecREt01), which go-ntlmssp's own tests also use.
func TestNTLMv2Vector(t *testing.T) {
	if got, want := hex.EncodeToString(NTOWFv2("Password", "User", "Domain")), "0c868a403bfd7a93a3001ef22ef02e3f"; got != want {
		t.Fatalf("NTOWFv2 = %s, want %s", got, want)
	}
	ch := &Challenge{}
	copy(ch.ServerChallenge[:], mustHex(t, "0123456789abcdef"))
	nt := mustHex(t, "cbabbca713eb795d04c97abc01ee4983"+ // NTProofStr
		"01010000000000000090d336b734c301ffffff00112233440000000002000c0044004f004d00410049004e00"+
		"01000c005300450052005600450052000400140064006f006d00610069006e002e0063006f006d00"+
		"030022007300650072007600650072002e0064006f006d00610069006e002e0063006f006d000000000000000000")
	a := &Authenticate{User: "user", Domain: "DOMAIN", NtChallengeResponse: nt}
	if !ch.Verify(a, "SecREt01") {
		t.Error("Verify rejected the published NTLMv2 response")
	}
	if ch.Verify(a, "secret01") {
		t.Error("Verify accepted the published response with a wrong password")
	}
	a.NtChallengeResponse = nt[:24] // NTLMv1 length
	if ch.Verify(a, "SecREt01") {
		t.Error("Verify accepted a 24-byte (NTLMv1) response")
	}
}

func TestChallengeFlagsAndTargetInfo(t *testing.T) {
	tests := map[string]struct {
		negFlags    uint32
		wantCharset uint32
	}{
		"unicode client": {FlagUnicode | FlagOEM | FlagNTLM, FlagUnicode},
		"oem client":     {FlagOEM | FlagNTLM, FlagOEM},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			neg, err := ParseNegotiate(negotiateBytes(tc.negFlags))
			if err != nil {
				t.Fatal(err)
			}
			ch, err := NewChallenge(neg, testTarget, bytes.NewReader(make([]byte, 8)), time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			b := ch.Bytes()
			if typ, err := MessageType(b); err != nil || typ != TypeChallenge {
				t.Fatalf("MessageType = %d, %v", typ, err)
			}
			flags := binary.LittleEndian.Uint32(b[20:24])
			if flags&(FlagKeyExch|FlagLMKey) != 0 {
				t.Errorf("flags %#x offer KEY_EXCH or LM_KEY", flags)
			}
			want := uint32(FlagNTLM | FlagExtendedSessionSecurity | FlagTargetInfo | FlagAlwaysSign | Flag128 | Flag56 | FlagRequestTarget)
			if flags&want != want || flags&(FlagUnicode|FlagOEM) != tc.wantCharset {
				t.Errorf("flags = %#x, want %#x plus charset %#x", flags, want, tc.wantCharset)
			}
			ti, err := varField(b, 40)
			if err != nil || !bytes.Equal(ti, ch.TargetInfo) {
				t.Fatalf("TargetInfo field = %x, %v; want %x", ti, err, ch.TargetInfo)
			}
			var ids []uint16
			for p := 0; p+4 <= len(ti); {
				id, n := binary.LittleEndian.Uint16(ti[p:]), int(binary.LittleEndian.Uint16(ti[p+2:]))
				ids = append(ids, id)
				p += 4 + n
			}
			if got, want := ids, []uint16{2, 1, 4, 3, 7, 0}; !slices.Equal(got, want) {
				t.Errorf("AV ids = %v, want %v", got, want)
			}
		})
	}
}

func TestParseNegotiateErrors(t *testing.T) {
	valid := negotiateBytes(FlagUnicode)
	tests := map[string][]byte{
		"empty":           nil,
		"bad signature":   append([]byte("NTLMSSX\x00"), valid[8:]...),
		"wrong type":      append(append([]byte{}, valid[:8]...), append([]byte{3, 0, 0, 0}, valid[12:]...)...),
		"truncated":       valid[:14],
		"no charset":      negotiateBytes(FlagNTLM),
		"field past end":  withField(valid, 16, 10, 200),
		"offset overflow": withField(valid, 24, 0xffff, 0xffffffff),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseNegotiate(b); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseNegotiate err = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestParseAuthenticateErrors(t *testing.T) {
	_, valid := handshake(t, `CORP\alice`, "secret")
	tests := map[string][]byte{
		"empty":          nil,
		"negotiate":      negotiateBytes(FlagUnicode),
		"short header":   valid[:40],
		"nt past end":    withField(valid, 20, 0xffff, 64),
		"odd user bytes": withField(valid, 36, 3, 64),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseAuthenticate(b); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseAuthenticate err = %v, want ErrMalformed", err)
			}
		})
	}
}

func FuzzParseAuthenticate(f *testing.F) {
	negBytes, _ := ntlmssp.NewNegotiateMessage("CORP", "WS01")
	neg, err := ParseNegotiate(negBytes)
	if err != nil {
		f.Fatal(err)
	}
	ch, err := NewChallenge(neg, testTarget, rand.Reader, time.Now())
	if err != nil {
		f.Fatal(err)
	}
	auth, err := ntlmssp.NewAuthenticateMessage(ch.Bytes(), `CORP\alice`, "secret", nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(auth)
	f.Add(auth[:63])
	f.Add(withField(auth, 20, 0xffff, 0xfffffff0))
	f.Add(negBytes)
	f.Add(ch.Bytes())
	f.Add([]byte("NTLMSSP\x00\x03\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Whatever the input: no panic, and whatever parses can be
		// verified or answered.
		if a, err := ParseAuthenticate(b); err == nil {
			ch.Verify(a, "secret")
		}
		if n, err := ParseNegotiate(b); err == nil {
			if _, err := NewChallenge(n, testTarget, rand.Reader, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func negotiateBytes(flags uint32) []byte {
	b := append([]byte("NTLMSSP\x00"), 1, 0, 0, 0)
	b = binary.LittleEndian.AppendUint32(b, flags)
	return append(b, make([]byte, 16)...) // empty domain and workstation fields
}

// withField returns a copy of b whose varfield at pos has length n and
// offset off.
func withField(b []byte, pos int, n uint16, off uint32) []byte {
	c := append([]byte{}, b...)
	binary.LittleEndian.PutUint16(c[pos:], n)
	binary.LittleEndian.PutUint16(c[pos+2:], n)
	binary.LittleEndian.PutUint32(c[pos+4:], off)
	return c
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
