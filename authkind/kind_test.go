package authkind

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestBuiltinKinds(t *testing.T) {
	if got, want := Names(), []string{NTLM, Basic, Bearer, Kerberos}; !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v (messages list kinds in this order)", got, want)
	}
	tests := []struct {
		kind            string
		attrs           []string
		connectionBound bool
		secretOnWire    bool
	}{
		// NTLM authenticates a connection: the client must pin one per
		// lane, so that handshakes == connections.
		{NTLM, []string{Username, Password}, true, false},
		{Basic, []string{Username, Password}, false, true},
		{Bearer, []string{Token}, false, true},
		// Kerberos authenticates a connection too (protocol.md §4.6).
		{Kerberos, []string{Username, Password, Keytab, CCache, Krb5Conf, SPN}, true, false},
	}
	for _, tt := range tests {
		k := Lookup(tt.kind)
		if k == nil {
			t.Fatalf("Lookup(%q) = nil", tt.kind)
		}
		var names []string
		for _, a := range k.Attributes {
			names = append(names, a.Name)
			if a.Secret == a.Fingerprinted && a.Secret {
				t.Errorf("%s.%s is secret and fingerprinted", tt.kind, a.Name)
			}
		}
		if !slices.Equal(names, tt.attrs) {
			t.Errorf("%s attributes = %v, want %v", tt.kind, names, tt.attrs)
		}
		// NTLM and Kerberos bind their logins to the TLS channel
		// (Extended Protection).
		if k.ChannelBound != (tt.kind == NTLM || tt.kind == Kerberos) {
			t.Errorf("%s: ChannelBound %v", tt.kind, k.ChannelBound)
		}
		if k.ConnectionBound != tt.connectionBound || k.SecretOnWire != tt.secretOnWire {
			t.Errorf("%s: ConnectionBound %v SecretOnWire %v, want %v %v", tt.kind, k.ConnectionBound, k.SecretOnWire, tt.connectionBound, tt.secretOnWire)
		}
	}
	if Lookup(None) != nil || Lookup("digest") != nil {
		t.Error("Lookup finds a kind that is not registered")
	}
	if got, want := SecretNames(), []string{Password, Token}; !slices.Equal(got, want) {
		t.Errorf("SecretNames() = %v, want %v", got, want)
	}
}

// The fingerprint binds a saved plan to the kind and the account, never
// to a secret.
func TestFingerprint(t *testing.T) {
	c := Credentials{Username: `CORP\alice`, Password: "hunter2", Token: "tok"}
	tests := map[string]string{
		NTLM:   "auth=ntlm\nusername=CORP\\alice",
		Basic:  "auth=basic\nusername=CORP\\alice",
		Bearer: "auth=bearer",
	}
	for kind, want := range tests {
		got := Fingerprint(kind, c)
		if got != want {
			t.Errorf("Fingerprint(%s) = %q, want %q", kind, got, want)
		}
		if strings.Contains(got, "hunter2") || strings.Contains(got, "tok\n") || strings.HasSuffix(got, "tok") {
			t.Errorf("Fingerprint(%s) holds a secret: %q", kind, got)
		}
	}
}

// Each kind's transport sends what it should, and none changes the
// request it was given (the http.RoundTripper contract).
func TestTransportHeaders(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	tests := []struct {
		kind string
		c    Credentials
		want string
	}{
		{None, nil, ""},
		{"", nil, ""},
		{Basic, Credentials{Username: "alice", Password: "s3cret"}, "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))},
		{Bearer, Credentials{Token: "tok.en"}, "Bearer tok.en"},
	}
	for _, tt := range tests {
		got = nil
		rt, err := Transport(tt.kind, http.DefaultTransport, tt.c)
		if err != nil {
			t.Fatalf("%s: %v", tt.kind, err)
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.kind, err)
		}
		resp.Body.Close()
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s: server saw Authorization %q, want %q", tt.kind, got, tt.want)
		}
		if req.Header.Get("Authorization") != "" {
			t.Errorf("%s: the transport changed the caller's request", tt.kind)
		}
	}
}

func TestTransportRefusesMissingCredentials(t *testing.T) {
	tests := []struct {
		kind string
		c    Credentials
		want string
	}{
		{NTLM, Credentials{Password: "p"}, "ntlm authentication needs a username"},
		{Basic, nil, "basic authentication needs a username"},
		{Bearer, Credentials{Username: "u"}, "bearer authentication needs a token"},
		{"digest", nil, `unknown auth "digest" (want none, ntlm, basic, bearer or kerberos)`},
	}
	for _, tt := range tests {
		_, err := Transport(tt.kind, http.DefaultTransport, tt.c)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Transport(%s) error = %v, want %q", tt.kind, err, tt.want)
		}
	}
}

func TestRegisterRefusesBadKinds(t *testing.T) {
	transport := func(base http.RoundTripper, _ Credentials) (http.RoundTripper, error) { return base, nil }
	for name, k := range map[string]*Kind{
		"duplicate":              {Name: NTLM, Transport: transport},
		"none":                   {Name: None, Transport: transport},
		"no name":                {Transport: transport},
		"no transport":           {Name: "x"},
		"secret and fingerprint": {Name: "y", Transport: transport, Attributes: []Attribute{{Name: "k", Secret: true, Fingerprinted: true}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			Register(k)
		}()
	}
	if Lookup("x") != nil || Lookup("y") != nil {
		t.Error("a refused kind was registered")
	}
}

func TestOrList(t *testing.T) {
	for _, tt := range []struct {
		in    []string
		quote bool
		want  string
	}{
		{nil, false, ""},
		{[]string{"a"}, true, `"a"`},
		{[]string{"a", "b"}, false, "a or b"},
		{[]string{"a", "b", "c"}, true, `"a", "b" or "c"`},
	} {
		if got := OrList(tt.in, tt.quote); got != tt.want {
			t.Errorf("OrList(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
