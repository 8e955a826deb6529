package exchsim

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/callctl/callctl/internal/extools"
	"github.com/callctl/callctl/internal/krbtest"
)

// curlNegotiate runs curl --negotiate (MIT GSS-API's SPNEGO initiator,
// which sends no channel binding) with the given ccache and returns the
// HTTP status.
func curlNegotiate(t *testing.T, k *krbtest.KDC, ccache, url, caFile string, body []byte) string {
	t.Helper()
	curl := extools.Require(t, "curl", "curl --negotiate is MIT's SPNEGO initiator")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--negotiate", "-u", ":",
		"--cacert", caFile, "-H", "Content-Type: text/xml; charset=utf-8", "--data-binary", "@-", url)
	cmd.Env = append(os.Environ(), "KRB5_CONFIG="+k.Krb5Conf, "KRB5CCNAME=FILE:"+ccache)
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl --negotiate: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// The simulator's Kerberos acceptor, checked with a client that is not
// ours: curl --negotiate with tickets from MIT kinit logs in under
// -epa none and allow, and is refused (cbt_missing) under require, since
// it sends no channel binding.
func TestKerberosAcceptsMITClient(t *testing.T) {
	if !strings.Contains(curlFeatures(t), "SPNEGO") {
		extools.Missing(t, "curl without SPNEGO")
	}
	k := krbtest.Start(t)
	k.AddUser(t, "alice", "secret")
	keytab := k.AddService(t, "HTTP/127.0.0.1")
	ccache := k.Kinit(t, "alice", "secret", "")
	body := ewsRequest(t, "GetPhoneCallInformation", "live")
	for _, tc := range []struct {
		epa, want string
		missing   int64
	}{
		{EPANone, "200", 0},
		{EPAAllow, "200", 0},
		{EPARequire, "401", 1},
	} {
		t.Run(tc.epa, func(t *testing.T) {
			s := newTestServer(t, Options{TLS: true, EPA: tc.epa, Auth: AuthKerberos, Keytab: keytab, User: "alice@" + krbtest.Realm,
				Calls: []Call{{ID: "live", State: "Connected"}}})
			caFile := t.TempDir() + "/ca.pem"
			if err := os.WriteFile(caFile, s.CACertPEM(), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := curlNegotiate(t, k, ccache, s.EWSURL(), caFile, body); got != tc.want {
				t.Errorf("curl --negotiate: HTTP %s, want %s", got, tc.want)
			}
			st := s.Stats()
			if st.CBTMissing != tc.missing {
				t.Errorf("cbt_missing %d, want %d", st.CBTMissing, tc.missing)
			}
			if tc.want == "200" && st.KerberosLogins != 1 {
				t.Errorf("kerberos_logins %d, want 1", st.KerberosLogins)
			}
		})
	}
}

// A user other than Options.User is refused although the KDC vouched for
// it.
func TestKerberosOtherUserRefused(t *testing.T) {
	k := krbtest.Start(t)
	k.AddUser(t, "mallory", "secret")
	keytab := k.AddService(t, "HTTP/127.0.0.1")
	ccache := k.Kinit(t, "mallory", "secret", "")
	s := newTestServer(t, Options{TLS: true, Auth: AuthKerberos, Keytab: keytab, User: "alice@" + krbtest.Realm})
	caFile := t.TempDir() + "/ca.pem"
	if err := os.WriteFile(caFile, s.CACertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := curlNegotiate(t, k, ccache, s.EWSURL(), caFile, ewsRequest(t, "GetPhoneCallInformation", "live")); got != "401" {
		t.Errorf("HTTP %s, want 401", got)
	}
	if st := s.Stats(); st.AuthFailures != 1 || st.KerberosLogins != 0 {
		t.Errorf("stats %+v, want one refused login", st)
	}
}

func TestKerberosOptionsChecked(t *testing.T) {
	if _, err := NewUnstartedServer(Options{Auth: AuthKerberos, User: "alice"}); err == nil || !strings.Contains(err.Error(), "-keytab") {
		t.Errorf("no keytab: err = %v", err)
	}
	if _, err := NewUnstartedServer(Options{Auth: AuthKerberos, User: "alice", Keytab: "/nonexistent.keytab"}); err == nil || !strings.Contains(err.Error(), "/nonexistent.keytab") {
		t.Errorf("missing keytab: err = %v", err)
	}
}

func curlFeatures(t *testing.T) string {
	curl := extools.Require(t, "curl", "curl is a third-party client")
	out, _ := exec.Command(curl, "--version").Output()
	return string(out)
}
