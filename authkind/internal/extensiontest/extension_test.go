package extensiontest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/planfile"
	"github.com/callctl/callctl/soap"
)

// apikey is a kind written as the authkind package doc says a new one is:
// a name, its arguments and a transport, registered in init.
const apikey = "apikey"

func init() {
	authkind.Register(&authkind.Kind{
		Name: apikey,
		Attributes: []authkind.Attribute{
			{Name: "client", Doc: "the client name", Account: true, Fingerprinted: true},
			{Name: "key", Doc: "the API key", Secret: true},
			{Name: "scope", Doc: "the scope", Optional: true},
		},
		SecretOnWire: true,
		Transport: func(base http.RoundTripper, c authkind.Credentials) (http.RoundTripper, error) {
			if c["key"] == "" {
				return nil, fmt.Errorf("apikey authentication needs a key")
			}
			return roundTripper(func(r *http.Request) (*http.Response, error) {
				r = r.Clone(r.Context())
				r.Header.Set("X-Api-Key", c["client"]+":"+c["key"])
				return base.RoundTrip(r)
			}), nil
		},
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func load(t *testing.T, url, auth string, vars ...string) (*config.Policy, hcl.Diagnostics) {
	t.Helper()
	src := fmt.Sprintf("variable \"k\" {}\nvariable \"client\" {\n  default = \"ops\"\n}\n"+
		"exchange \"x\" {\n  url = %q\n  allow_insecure_http = true\n%s\n}\n", url, auth)
	return config.NewLoader().LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(src)}}, ".", config.LoadOptions{Vars: vars})
}

func hasDiag(diags hcl.Diagnostics, summary, detail string) bool {
	for _, d := range diags {
		if d.Summary == summary && strings.Contains(d.Detail, detail) {
			return true
		}
	}
	return false
}

func TestConfigTakesTheSchemaFromTheRegistry(t *testing.T) {
	const url = "https://x.example/EWS/Exchange.asmx"
	pol, diags := load(t, url, `  auth "apikey" {
    client = var.client
    key    = var.k
  }`, "k=s3cret")
	if diags.HasErrors() {
		t.Fatalf("a registered kind is refused: %v", diags)
	}
	got := pol.Exchanges["x"].Auth
	if got.Kind != apikey || got.Credentials["client"] != "ops" || got.Credentials["key"] != "s3cret" {
		t.Errorf("auth = %+v", got)
	}
	if !pol.Sensitive["k"] || pol.Sensitive["client"] {
		t.Errorf("Sensitive = %v: the variable a secret reads must be sensitive, the account's not", pol.Sensitive)
	}

	_, diags = load(t, url, `  auth "apikey" {
    client = "ops"
  }`, "k=x")
	if !hasDiag(diags, "Missing required argument", `has no "key" argument. Set key to the API key.`) {
		t.Errorf("missing secret not reported: %v", diags)
	}
	_, diags = load(t, url, `  auth "apikey" {
    client = "ops"
    key    = "literal"
  }`, "k=x")
	if !hasDiag(diags, "Literal key in policy", "") {
		t.Errorf("literal secret not warned about: %v", diags)
	}
	_, diags = load(t, url, `  auth "apikye" {
    client = "ops"
  }`, "k=x")
	if !hasDiag(diags, "Invalid authentication kind", `Use "ntlm", "basic", "bearer", "kerberos" or "apikey", or omit the auth block for none. Did you mean "apikey"?`) {
		t.Errorf("the kinds listed are not the registry's: %v", diags)
	}
}

// A saved plan is bound to the account but never stores the key.
func TestPlanfileFingerprintsFromTheRegistry(t *testing.T) {
	const url = "https://x.example/EWS/Exchange.asmx"
	fingerprint := func(client, key string) string {
		pol, diags := load(t, url, fmt.Sprintf("  auth \"apikey\" {\n    client = %q\n    key = var.k\n  }", client), "k="+key)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		in, err := planfile.InputsOf(pol, nil, nil, nil, "00")
		if err != nil {
			t.Fatal(err)
		}
		return in.Exchanges["x"]
	}
	base := fingerprint("ops", "one")
	if fingerprint("ops", "two") != base {
		t.Error("a changed key changes the fingerprint: the key is in it")
	}
	if fingerprint("dev", "one") == base {
		t.Error("a changed account leaves the fingerprint alone")
	}
}

func TestSoapSendsThroughTheKindsTransport(t *testing.T) {
	var seen string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Get("X-Api-Key")
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer srv.Close()
	creds := authkind.Credentials{"client": "ops", "key": "s3cret"}
	if _, err := soap.New(soap.Options{URL: srv.URL + "/EWS/Exchange.asmx", Auth: apikey, Credentials: creds}); err == nil ||
		!strings.Contains(err.Error(), "refusing to send apikey credentials over plain http") {
		t.Errorf("a secret-on-wire kind over http without the opt-in: %v", err)
	}
	if _, err := soap.New(soap.Options{URL: srv.URL, Auth: apikey, AllowInsecureHTTP: true}); err == nil || err.Error() != "apikey authentication needs a key" {
		t.Errorf("missing key: %v", err)
	}
	c, err := soap.New(soap.Options{URL: srv.URL + "/EWS/Exchange.asmx", Auth: apikey, Credentials: creds, AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.CallInfo(context.Background(), "id")
	if seen != "ops:s3cret" {
		t.Errorf("server saw X-Api-Key %q", seen)
	}
}
