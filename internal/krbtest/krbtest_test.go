package krbtest

import (
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
)

// The harness gives a working realm: MIT kinit and gokrb5 both log in,
// and a wrong password is one PREAUTH_FAILED in the KDC's log.
func TestRealm(t *testing.T) {
	k := Start(t)
	k.AddUser(t, "alice", "secret")
	k.AddService(t, "HTTP/127.0.0.1")
	k.Kinit(t, "alice", "secret", "")
	cfg, err := config.Load(k.Krb5Conf)
	if err != nil {
		t.Fatal(err)
	}
	cl := client.NewWithPassword("alice", Realm, "secret", cfg, client.DisablePAFXFAST(true))
	if err := cl.Login(); err != nil {
		t.Fatalf("gokrb5 login: %v", err)
	}
	if _, _, err := cl.GetServiceTicket("HTTP/127.0.0.1"); err != nil {
		t.Fatalf("service ticket: %v", err)
	}
	if _, _, err := cl.GetServiceTicket("HTTP/nowhere"); err == nil {
		t.Error("a ticket for an unknown SPN")
	} else {
		t.Logf("unknown SPN: %v", err)
	}
	bad := client.NewWithPassword("alice", Realm, "wrong", cfg, client.DisablePAFXFAST(true))
	err = bad.Login()
	if err == nil || !strings.Contains(err.Error(), "PREAUTH_FAILED") {
		t.Fatalf("wrong password: err = %v", err)
	}
	t.Logf("wrong password: %v", err)
	if n := k.PreauthFailures(t); n != 1 {
		t.Errorf("%d PREAUTH_FAILED in the KDC log, want 1:\n%s", n, k.Log(t))
	}
}
