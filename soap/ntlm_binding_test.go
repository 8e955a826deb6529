package soap

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/go-ntlmssp"

	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/exchsim/ntlmserver"
	"github.com/callctl/callctl/internal/chanbind"
	"github.com/callctl/callctl/internal/extools"
)

func testChallenge(t *testing.T) []byte {
	t.Helper()
	ch, err := ntlmserver.NewChallenge(nil, ntlmserver.Target{NbDomain: "CORP", NbComputer: "EXCH01", DNSDomain: "corp.example", DNSComputer: "exch01.corp.example"},
		bytes.NewReader(make([]byte, 8)), time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	return ch.Bytes()
}

// avPairs lists the AV ids of a CHALLENGE's TargetInfo, and the value of
// MsvAvChannelBindings.
func avPairs(t *testing.T, msg []byte) (ids []uint16, cbt []byte) {
	t.Helper()
	n := binary.LittleEndian.Uint16(msg[40:])
	off := binary.LittleEndian.Uint32(msg[44:])
	ti := msg[off : off+uint32(n)]
	for {
		id, l := binary.LittleEndian.Uint16(ti), binary.LittleEndian.Uint16(ti[2:])
		ids = append(ids, id)
		if id == avChannelBindings {
			cbt = ti[4 : 4+l]
		}
		if id == avEOL {
			return ids, cbt
		}
		ti = ti[4+l:]
	}
}

// The binding goes in as the last pair before MsvAvEOL; a pair the server
// sent is replaced, not doubled; the rest stays as the server sent it.
func TestAddChannelBindings(t *testing.T) {
	tok := chanbind.FromApplicationData([]byte("tls-server-end-point:x"))
	msg := testChallenge(t)
	out, err := addChannelBindings(msg, tok)
	if err != nil {
		t.Fatal(err)
	}
	ids, cbt := avPairs(t, out)
	if want := []uint16{2, 1, 4, 3, 7, avChannelBindings, avEOL}; !slices.Equal(ids, want) || !bytes.Equal(cbt, tok[:]) {
		t.Errorf("AV ids %v (binding %x), want %v with %x", ids, cbt, want, tok)
	}
	if !bytes.Equal(out[:40], msg[:40]) || !bytes.Equal(out[48:len(msg)], msg[48:]) {
		t.Error("the rest of the message changed")
	}
	other := chanbind.FromApplicationData([]byte("other"))
	again, err := addChannelBindings(out, other)
	if err != nil {
		t.Fatal(err)
	}
	if ids, cbt := avPairs(t, again); len(ids) != 7 || !bytes.Equal(cbt, other[:]) {
		t.Errorf("re-bound: ids %v, binding %x", ids, cbt)
	}
}

// Hostile or truncated challenges give an error, never a panic.
func TestAddChannelBindingsMalformed(t *testing.T) {
	good := testChallenge(t)
	noTI := append([]byte{}, good...)
	binary.LittleEndian.PutUint16(noTI[40:], 0)
	pastEnd := append([]byte{}, good...)
	binary.LittleEndian.PutUint32(pastEnd[44:], uint32(len(good)))
	noEOL := append([]byte{}, good[:len(good)-4]...)
	binary.LittleEndian.PutUint16(noEOL[40:], binary.LittleEndian.Uint16(good[40:])-4)
	for name, tc := range map[string]struct {
		msg  []byte
		want string
	}{
		"empty":          {nil, "malformed"},
		"no signature":   {bytes.Repeat([]byte{1}, 64), "malformed"},
		"no target info": {noTI, "no target information"},
		"past the end":   {pastEnd, "runs past"},
		"no EOL":         {noEOL, "without an end"},
	} {
		if _, err := addChannelBindings(tc.msg, chanbind.Token{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func FuzzAddChannelBindings(f *testing.F) {
	f.Add([]byte("NTLMSSP\x00\x02\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		out, err := addChannelBindings(msg, chanbind.Token{1})
		if err == nil && len(out) <= len(msg) {
			t.Errorf("grew nothing: %d -> %d bytes", len(msg), len(out))
		}
	})
}

// Where the binding goes, held to Python's ntlm-auth (which requests_ntlm
// uses, and Windows servers accept): given the same CHALLENGE and server
// certificate, its NTLMv2 blob and callctl's (go-ntlmssp echoing the
// target info bindNTLM extended) carry the same MsvAvChannelBindings
// value, with the server's AV pairs before it and MsvAvEOL last.
func TestNTLMBlobMatchesPythonNTLMAuth(t *testing.T) {
	python, env := extools.NTLMPython(t)
	srv, err := exchsim.NewServer(exchsim.Options{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: srv.ClientTLSConfig()}}).Get(srv.URL + "/_exchsim/stats")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cert := resp.TLS.PeerCertificates[0]
	certFile := filepath.Join(t.TempDir(), "cert.der")
	if err := os.WriteFile(certFile, cert.Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	challenge := testChallenge(t)

	tok, err := chanbind.ForCertificate(cert)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := addChannelBindings(challenge, tok)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := ntlmssp.NewAuthenticateMessage(bound, `CORP\alice`, "secret", nil)
	if err != nil {
		t.Fatal(err)
	}
	ours := blobAVPairs(t, auth)

	cmd := exec.Command(python, "testdata/ntlm_auth_blob.py", base64.StdEncoding.EncodeToString(challenge), certFile)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	theirs := map[string]string{}
	var order []string
	for _, line := range strings.Fields(string(out)) {
		id, val, _ := strings.Cut(line, ":")
		theirs[id] = val
		order = append(order, id)
	}
	if theirs["10"] == "" || theirs["10"] != ours["10"] {
		t.Errorf("MsvAvChannelBindings: ntlm-auth %q, callctl %q", theirs["10"], ours["10"])
	}
	for _, id := range []string{"1", "2", "3", "4", "7"} {
		if theirs[id] != ours[id] {
			t.Errorf("AV pair %s: ntlm-auth %q, callctl %q", id, theirs[id], ours[id])
		}
	}
	if order[len(order)-1] != "0" || ours["order-last"] != "0" {
		t.Errorf("MsvAvEOL not last: ntlm-auth %v, callctl last %s", order, ours["order-last"])
	}
}

// blobAVPairs reads the AV pairs of the NTLMv2 blob of an AUTHENTICATE
// message, by id (decimal), and the last id under "order-last".
func blobAVPairs(t *testing.T, auth []byte) map[string]string {
	t.Helper()
	n := binary.LittleEndian.Uint16(auth[20:])
	off := binary.LittleEndian.Uint32(auth[24:])
	blob := auth[off+16 : off+uint32(n)]
	av := blob[28:]
	pairs := map[string]string{}
	for len(av) >= 4 {
		id, l := binary.LittleEndian.Uint16(av), binary.LittleEndian.Uint16(av[2:])
		pairs[fmt.Sprint(id)] = hex.EncodeToString(av[4 : 4+l])
		pairs["order-last"] = fmt.Sprint(id)
		if id == 0 {
			break
		}
		av = av[4+l:]
	}
	return pairs
}
