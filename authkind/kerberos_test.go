package authkind

import (
	"net/http"
	"strings"
	"testing"
)

// The credentials are checked before any request, without a KDC.
func TestKerberosCredentialsChecked(t *testing.T) {
	t.Setenv("KRB5CCNAME", "")
	for _, tc := range []struct {
		c    Credentials
		want string
	}{
		{Credentials{Username: "svc@CORP.EXAMPLE"}, "needs a password, a keytab or a ccache; none is set and KRB5CCNAME is empty"},
		{Credentials{Username: "svc@CORP.EXAMPLE", Password: "p", Keytab: "/etc/svc.keytab"}, "takes one of password, keytab or ccache"},
		{Credentials{Password: "p"}, "needs a username"},
		{Credentials{CCache: "KCM:1000"}, "callctl reads FILE: credential caches only"},
	} {
		_, err := Transport(Kerberos, http.DefaultTransport, tc.c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.c, err, tc.want)
		}
	}
	for _, c := range []Credentials{
		{Username: "svc@CORP.EXAMPLE", Password: "p"},
		{Username: "svc@CORP.EXAMPLE", Keytab: "/etc/svc.keytab"},
		{CCache: "FILE:/tmp/krb5cc_1000"},
	} {
		if _, err := Transport(Kerberos, http.DefaultTransport, c); err != nil {
			t.Errorf("%v: %v", c, err)
		}
	}
	t.Setenv("KRB5CCNAME", "FILE:/tmp/krb5cc_1000")
	if _, err := Transport(Kerberos, http.DefaultTransport, Credentials{}); err != nil {
		t.Errorf("KRB5CCNAME not used: %v", err)
	}
}

// A saved plan is bound to the principal and the SPN, never to the
// password or to the files holding keys or tickets.
func TestKerberosFingerprint(t *testing.T) {
	c := Credentials{Username: "svc@CORP.EXAMPLE", Password: "hunter2", Keytab: "/etc/svc.keytab", CCache: "/tmp/cc", Krb5Conf: "/etc/krb5.conf", SPN: "HTTP/mail.corp.example"}
	fp := Fingerprint(Kerberos, c)
	if want := "auth=kerberos\nusername=svc@CORP.EXAMPLE\nspn=HTTP/mail.corp.example"; fp != want {
		t.Errorf("fingerprint %q, want %q", fp, want)
	}
	if k := Lookup(Kerberos); !k.ConnectionBound || !k.ChannelBound || k.SecretOnWire || k.NewSession == nil {
		t.Errorf("kerberos kind %+v", k)
	}
}
