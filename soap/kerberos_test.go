package soap_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/internal/krbtest"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

const kerberosSPN = "HTTP/127.0.0.1"

// kerberosSite is a real MIT KDC with a user alice (password secret) and
// an https simulator that accepts tickets for HTTP/127.0.0.1 and requires
// Extended Protection.
type kerberosSite struct {
	kdc    *krbtest.KDC
	sim    *exchsim.Server
	caFile string
}

func newKerberosSite(t *testing.T, nCalls int, tweak func(*exchsim.Options)) *kerberosSite {
	t.Helper()
	k := krbtest.Start(t)
	k.AddUser(t, "alice", "secret")
	opts := exchsim.Options{TLS: true, EPA: exchsim.EPARequire, Auth: exchsim.AuthKerberos, Keytab: k.AddService(t, kerberosSPN), User: "alice@" + krbtest.Realm}
	for i := range nCalls {
		opts.Calls = append(opts.Calls, exchsim.Call{ID: fmt.Sprintf("call-%02d", i), State: soap.StateConnected})
	}
	if tweak != nil {
		tweak(&opts)
	}
	sim, err := exchsim.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return &kerberosSite{kdc: k, sim: sim, caFile: writeCA(t, sim.CACertPEM())}
}

// options are the client's for this site; each test sets the credential.
func (s *kerberosSite) options(parallelism int) soap.Options {
	return soap.Options{URL: s.sim.EWSURL(), Auth: authkind.Kerberos, CAFile: s.caFile, Parallelism: parallelism,
		Credentials: authkind.Credentials{authkind.Username: "alice@" + krbtest.Realm, authkind.Krb5Conf: s.kdc.Krb5Conf}}
}

func newCaller(t *testing.T, o soap.Options) soap.Caller {
	t.Helper()
	c, err := soap.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// Password, keytab and ccache (named, or from KRB5CCNAME) logins against
// a real KDC, with the channel binding in the authenticator checksum that
// the simulator's Extended Protection requires; each connection logs in
// once and stays logged in.
func TestKerberosLogins(t *testing.T) {
	const parallelism, nCalls = 3, 24
	site := newKerberosSite(t, nCalls, nil)
	userKeytab := site.kdc.UserKeytab(t, "alice")
	ccache := site.kdc.Kinit(t, "alice", "secret", "")
	for name, set := range map[string]func(*soap.Options){
		"password": func(o *soap.Options) { o.Credentials[authkind.Password] = "secret" },
		"keytab":   func(o *soap.Options) { o.Credentials[authkind.Keytab] = userKeytab },
		"ccache":   func(o *soap.Options) { o.Credentials[authkind.CCache] = ccache },
		"KRB5CCNAME": func(o *soap.Options) {
			delete(o.Credentials, authkind.Username)
			t.Setenv("KRB5CCNAME", "FILE:"+ccache)
		},
	} {
		t.Run(name, func(t *testing.T) {
			before := site.sim.Stats()
			o := site.options(parallelism)
			set(&o)
			c := newCaller(t, o)
			for i, err := range lookUpConcurrently(t, c, nCalls) {
				if err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			c.Close()
			st := site.sim.Stats()
			logins, conns := st.KerberosLogins-before.KerberosLogins, st.Connections-before.Connections
			if logins != conns || conns != parallelism {
				t.Errorf("%d Kerberos logins over %d connections, want one per connection and %d connections", logins, conns, parallelism)
			}
			if st.AuthFailures != 0 {
				t.Errorf("%d refused logins", st.AuthFailures)
			}
		})
	}
}

// A wrong password costs one failed pre-authentication at the KDC for 40
// calls in flight, and the error says what was refused without the
// password.
func TestKerberosWrongPasswordOnePreauthFailure(t *testing.T) {
	const n = 40
	site := newKerberosSite(t, n, nil)
	o := site.options(10)
	o.Credentials[authkind.Password] = "not-the-password"
	c := throttle.Wrap(newCaller(t, o), throttle.Policy{Exchange: "corp", ProveFirst: true, Parallelism: 10})
	for i, err := range lookUpConcurrently(t, c, n) {
		if !soap.AuthFailed(err) {
			t.Fatalf("call %d: err = %v, want an authentication failure", i, err)
		}
		if i == 0 {
			for _, want := range []string{"refused the password of alice@CALLCTL.TEST", "KDC_ERR_PREAUTH_FAILED", "will not try again"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
			if strings.Contains(err.Error(), "not-the-password") {
				t.Errorf("error shows the password: %v", err)
			}
		}
	}
	if got := site.kdc.PreauthFailures(t); got != 1 {
		t.Errorf("the KDC logged %d failed pre-authentications for %d calls, want 1", got, n)
	}
}

// Each failure an operator can act on reads as what to do.
func TestKerberosFailureMessages(t *testing.T) {
	t.Run("unknown SPN", func(t *testing.T) {
		site := newKerberosSite(t, 1, nil)
		o := site.options(1)
		o.Credentials[authkind.Password], o.Credentials[authkind.SPN] = "secret", "HTTP/mail.corp.example"
		_, err := newCaller(t, o).CallInfo(context.Background(), "call-00")
		wantAll(t, err, true, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "HTTP/mail.corp.example", "spn =")
	})
	t.Run("clock skew", func(t *testing.T) {
		site := newKerberosSite(t, 1, func(o *exchsim.Options) { o.ClockOffset = 10 * time.Minute })
		o := site.options(1)
		o.Credentials[authkind.Password] = "secret"
		_, err := newCaller(t, o).CallInfo(context.Background(), "call-00")
		wantAll(t, err, true, "KRB_AP_ERR_SKEW", "10m0s ahead of this machine's", "NTP")
	})
	t.Run("expired ccache ticket", func(t *testing.T) {
		site := newKerberosSite(t, 1, nil)
		o := site.options(1)
		o.Credentials[authkind.CCache] = site.kdc.Kinit(t, "alice", "secret", "2s")
		time.Sleep(2500 * time.Millisecond)
		_, err := newCaller(t, o).CallInfo(context.Background(), "call-00")
		wantAll(t, err, true, "expired at", "run kinit alice@CALLCTL.TEST again", o.Credentials[authkind.CCache])
	})
	t.Run("stale keytab", func(t *testing.T) {
		site := newKerberosSite(t, 1, nil)
		o := site.options(1)
		o.Credentials[authkind.Keytab] = site.kdc.UserKeytab(t, "alice")
		site.kdc.Kadmin(t, "cpw -pw changed alice")
		_, err := newCaller(t, o).CallInfo(context.Background(), "call-00")
		wantAll(t, err, true, "KDC_ERR_PREAUTH_FAILED", "keytab", "stale", "ktpass or ktutil")
	})
	t.Run("KDC unreachable", func(t *testing.T) {
		site := newKerberosSite(t, 1, nil)
		conf := filepath.Join(t.TempDir(), "krb5.conf")
		b, err := os.ReadFile(site.kdc.Krb5Conf)
		if err != nil {
			t.Fatal(err)
		}
		closed := strings.Replace(string(b), site.kdc.Addr, "127.0.0.1:1", 1)
		if err := os.WriteFile(conf, []byte(closed), 0o600); err != nil {
			t.Fatal(err)
		}
		o := site.options(1)
		o.Credentials[authkind.Password], o.Credentials[authkind.Krb5Conf] = "secret", conf
		_, err = newCaller(t, o).CallInfo(context.Background(), "call-00")
		wantAll(t, err, false, "cannot reach a KDC for realm CALLCTL.TEST", conf, "connection refused")
		if retry, _ := soap.Retryable(err); !retry {
			t.Error("an unreachable KDC is not retryable")
		}
	})
	t.Run("EPA refused", func(t *testing.T) {
		site := newKerberosSite(t, 1, nil)
		proxy, err := exchsim.NewTLSProxy(site.sim)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proxy.Close)
		o := site.options(1)
		o.Credentials[authkind.Password], o.Credentials[authkind.SPN] = "secret", kerberosSPN
		o.URL, o.CAFile = proxy.EWSURL(), writeCA(t, site.sim.CACertPEM(), proxy.CACertPEM())
		_, err = newCaller(t, o).CallInfo(context.Background(), "call-00")
		wantAll(t, err, true, "Extended Protection", "certificate mismatch")
		var herr *soap.HTTPError
		if !errors.As(err, &herr) || herr.Binding == nil {
			t.Errorf("err = %v, want an HTTPError with the bound certificate", err)
		}
		if st := site.sim.Stats(); st.CBTMismatch != 1 {
			t.Errorf("stats %+v, want one cbt_mismatch", st)
		}
	})
	t.Run("no binding", func(t *testing.T) {
		site := newKerberosSite(t, 1, nil)
		defer soap.WithoutChannelBinding()()
		o := site.options(1)
		o.Credentials[authkind.Password] = "secret"
		_, err := newCaller(t, o).CallInfo(context.Background(), "call-00")
		wantAll(t, err, true, "no Extended Protection channel binding could be sent")
		if st := site.sim.Stats(); st.CBTMissing != 1 {
			t.Errorf("stats %+v, want one cbt_missing", st)
		}
	})
}

func wantAll(t *testing.T, err error, authFailed bool, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if soap.AuthFailed(err) != authFailed {
		t.Errorf("AuthFailed = %v, want %v: %v", !authFailed, authFailed, err)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}
