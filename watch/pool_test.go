package watch

import (
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/soap"
)

func policy(exchanges ...*config.Exchange) (*config.Policy, []*config.Call) {
	p := &config.Policy{Exchanges: map[string]*config.Exchange{}}
	var calls []*config.Call
	for _, ex := range exchanges {
		p.Exchanges[ex.Name] = ex
		calls = append(calls, &config.Call{Address: "end_call." + ex.Name, Exchange: ex.Name, CallID: "c"})
	}
	return p, calls
}

func ntlm(name, url, password string) *config.Exchange {
	return &config.Exchange{Name: name, URL: url, Auth: &config.Auth{Kind: "ntlm", Credentials: authkind.Credentials{"username": `CORP\alice`, "password": password}}}
}

// A client is kept while its exchange block's settings stay the same,
// wherever the block moved in the file, and replaced when a setting
// (the password, say) changed; an exchange no longer declared loses its
// client.
func TestPoolKeepsClientsWhileSettingsStayTheSame(t *testing.T) {
	opts := reconcile.ConnectOptions{Parallelism: 2}
	pool := NewPool()
	defer pool.Close()
	connect := func(exchanges ...*config.Exchange) map[string]soap.Caller {
		t.Helper()
		p, calls := policy(exchanges...)
		callers, diags := pool.Connect(p, calls, opts)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return callers
	}

	first := connect(ntlm("corp", "http://127.0.0.1:1/EWS/Exchange.asmx", "one"), ntlm("lon", "http://127.0.0.1:2/EWS/Exchange.asmx", "one"))
	moved := ntlm("corp", "http://127.0.0.1:1/EWS/Exchange.asmx", "one")
	moved.DeclRange = hcl.Range{Filename: "other.hcl"}
	second := connect(moved, ntlm("lon", "http://127.0.0.1:2/EWS/Exchange.asmx", "one"))
	if first["corp"].(*since).Caller != second["corp"].(*since).Caller || first["lon"].(*since).Caller != second["lon"].(*since).Caller {
		t.Error("unchanged exchanges got new clients")
	}

	third := connect(ntlm("corp", "http://127.0.0.1:1/EWS/Exchange.asmx", "rotated"))
	if third["corp"].(*since).Caller == second["corp"].(*since).Caller {
		t.Error("a changed password kept the old client")
	}
	if _, ok := pool.clients["lon"]; ok {
		t.Error("the client of an exchange no longer declared was kept")
	}

	// Other connect options (a new -parallelism) are settings too.
	opts.Parallelism = 3
	if fourth := connect(ntlm("corp", "http://127.0.0.1:1/EWS/Exchange.asmx", "rotated")); fourth["corp"].(*since).Caller == third["corp"].(*since).Caller {
		t.Error("new connect options kept the old client")
	}
}

// An undeclared exchange is reported as reconcile.Connect reports it.
func TestPoolReportsUndeclaredExchange(t *testing.T) {
	pool := NewPool()
	defer pool.Close()
	p, _ := policy()
	_, diags := pool.Connect(p, []*config.Call{{Address: "end_call.x", Exchange: "nowhere"}}, reconcile.ConnectOptions{})
	if !diags.HasErrors() || diags[0].Summary != "Reference to undeclared exchange" {
		t.Errorf("diags = %v", diags)
	}
}

func TestOnceDiags(t *testing.T) {
	bad := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Bad", Detail: "It is bad."}
	worse := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Worse", Detail: "It is worse."}
	warn := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Careful"}
	o := &onceDiags{}
	cycles := []struct {
		in           hcl.Diagnostics
		wantShown    int
		wantErrors   int
		wantRepeated int
	}{
		{hcl.Diagnostics{warn, bad}, 2, 1, 0},
		{hcl.Diagnostics{warn, bad}, 0, 1, 1},        // the same: withheld
		{hcl.Diagnostics{warn, bad, worse}, 1, 2, 1}, // a new one shows
		{nil, 0, 0, 0},                  // fixed
		{hcl.Diagnostics{bad}, 1, 1, 0}, // back: shown again
	}
	for i, c := range cycles {
		o.next()
		shown := o.filter(c.in)
		if len(shown) != c.wantShown || o.errors != c.wantErrors || o.repeated != c.wantRepeated {
			t.Errorf("cycle %d: shown %d, errors %d, repeated %d; want %d, %d, %d", i+1, len(shown), o.errors, o.repeated, c.wantShown, c.wantErrors, c.wantRepeated)
		}
	}
}
