package krbhttp

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"

	"github.com/callctl/callctl/internal/chanbind"
	"github.com/callctl/callctl/internal/extools"
	"github.com/callctl/callctl/internal/krbtest"
)

// The tokens InitToken builds are accepted by MIT Kerberos's own GSS-API
// acceptor (SPNEGO, then the Kerberos AP-REQ), which checks the RFC 4121
// checksum's Bnd against the channel bindings it is given: the right
// application data is accepted, other application data refused with a
// channel binding error. This holds callctl's Kerberos channel binding to
// an implementation that is not ours.
func TestInitTokenAcceptedByMIT(t *testing.T) {
	python := extools.Python(t, "gssapi")
	k := krbtest.Start(t)
	k.AddUser(t, "alice", "secret")
	keytab := k.AddService(t, "HTTP/127.0.0.1")
	cfg, err := config.Load(k.Krb5Conf)
	if err != nil {
		t.Fatal(err)
	}
	cl := client.NewWithPassword("alice", krbtest.Realm, "secret", cfg, client.DisablePAFXFAST(true))
	if err := cl.Login(); err != nil {
		t.Fatal(err)
	}
	defer cl.Destroy()

	appData := []byte("tls-server-end-point:" + strings.Repeat("\x5a", 32))
	other := []byte("tls-server-end-point:" + strings.Repeat("\x17", 32))
	for _, tc := range []struct {
		name     string
		binding  []byte // what the token is bound to
		acceptor []byte // what MIT is told to expect
		want     string
	}{
		{"bound, acceptor expects it", appData, appData, "accepted alice@" + krbtest.Realm},
		{"bound, no expectation", appData, nil, "accepted alice@" + krbtest.Realm},
		{"bound to another certificate", other, appData, "refused Major (262144): Incorrect channel bindings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := InitToken(cl, "HTTP/127.0.0.1", chanbind.FromApplicationData(tc.binding))
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(t.TempDir(), "token")
			if err := os.WriteFile(f, []byte(base64.StdEncoding.EncodeToString(tok)), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, python, "testdata/mit_accept.py", f, hex.EncodeToString(tc.acceptor))
			cmd.Env = append(os.Environ(), "KRB5_CONFIG="+k.Krb5Conf, "KRB5_KTNAME=FILE:"+keytab, "KRB5RCACHETYPE=none")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); !strings.HasPrefix(got, tc.want) {
				t.Errorf("MIT says %q, want %q", got, tc.want)
			} else {
				t.Log(got)
			}
		})
	}
}

func TestChecksumLayout(t *testing.T) {
	tok := chanbind.FromApplicationData([]byte("x"))
	c := Checksum(tok)
	if c.CksumType != 0x8003 || len(c.Checksum) != 24 {
		t.Fatalf("checksum %+v", c)
	}
	if got := Binding(c); string(got) != string(tok[:]) {
		t.Errorf("Binding = %x, want %x", got, tok)
	}
}
