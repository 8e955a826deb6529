package exchange

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/throttle"
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

// A SOAP client is kept while its exchange block's settings stay the same,
// wherever the block moved in the file, and replaced when a setting (the
// password, say) changed; an exchange no longer declared loses its
// client. Every run gets a retry layer of its own.
func TestPoolKeepsClientsWhileSettingsStayTheSame(t *testing.T) {
	opts := Options{Parallelism: 2}
	pool := NewPool()
	defer pool.Close()
	connect := func(exchanges ...*config.Exchange) *Clients {
		t.Helper()
		p, calls := policy(exchanges...)
		cs, diags := pool.Connect(p, calls, opts)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		defer cs.Close()
		return cs
	}

	first := connect(ntlm("corp", "http://127.0.0.1:1/EWS/Exchange.asmx", "one"), ntlm("lon", "http://127.0.0.1:2/EWS/Exchange.asmx", "one"))
	corp1, lon1 := pool.clients["corp"].soap, pool.clients["lon"].soap
	moved := ntlm("corp", "http://127.0.0.1:1/EWS/Exchange.asmx", "one")
	moved.DeclRange = hcl.Range{Filename: "other.hcl"}
	second := connect(moved, ntlm("lon", "http://127.0.0.1:2/EWS/Exchange.asmx", "one"))
	if pool.clients["corp"].soap != corp1 || pool.clients["lon"].soap != lon1 {
		t.Error("unchanged exchanges got new SOAP clients")
	}
	if first.byName["corp"].retry == second.byName["corp"].retry {
		t.Error("a second run shares the first run's retry layer")
	}

	connect(ntlm("corp", "http://127.0.0.1:1/EWS/Exchange.asmx", "rotated"))
	corp3 := pool.clients["corp"].soap
	if corp3 == corp1 {
		t.Error("a changed password kept the old client")
	}
	if _, ok := pool.clients["lon"]; ok {
		t.Error("the client of an exchange no longer declared was kept")
	}

	// Other connect options (a new -parallelism) are settings too.
	opts.Parallelism = 3
	connect(ntlm("corp", "http://127.0.0.1:1/EWS/Exchange.asmx", "rotated"))
	if pool.clients["corp"].soap == corp3 {
		t.Error("new connect options kept the old client")
	}
}

// An undeclared exchange is reported as Connect reports it.
func TestPoolReportsUndeclaredExchange(t *testing.T) {
	pool := NewPool()
	defer pool.Close()
	p, _ := policy()
	_, diags := pool.Connect(p, []*config.Call{{Address: "end_call.x", Exchange: "nowhere"}}, Options{})
	if !diags.HasErrors() || diags[0].Summary != "Reference to undeclared exchange" {
		t.Errorf("diags = %v", diags)
	}
}

// Being down is a property of a run: the run after one that gave the
// exchange up sends requests again, over the same pooled client.
func TestPoolRunStartsHealthyAfterExchangeWasDown(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{Faults: exchsim.Faults{HangAll: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	down := &config.Exchange{Name: "corp", URL: srv.EWSURL()}
	pool := NewPool()
	defer pool.Close()
	opts := Options{Parallelism: 1, MaxAttempts: 1, Timeout: 20 * time.Millisecond}

	p, calls := policy(down)
	cs, _ := pool.Connect(p, calls, opts)
	for range throttle.DefaultDownAfter {
		_, _ = cs.Callers()["corp"].CallInfo(context.Background(), "c")
	}
	if xe := cs.GivenUp()["corp"]; xe == nil || xe.Kind != throttle.KindDown {
		t.Fatalf("first run: given up %v, want down", xe)
	}
	cs.Close()

	// The same settings, so the same pooled client: the next run tries
	// the exchange again. (It still hangs, so the request fails, but it
	// is sent rather than refused as given up.)
	cs, _ = pool.Connect(p, calls, opts)
	defer cs.Close()
	_, err = cs.Callers()["corp"].CallInfo(context.Background(), "c")
	var xe *throttle.ExchangeError
	if errors.As(err, &xe) {
		t.Errorf("second run failed at once with the first run's verdict: %v", err)
	}
	if s := cs.Stats(); s.Attempts != 1 {
		t.Errorf("second run sent %d requests, want 1", s.Attempts)
	}
}

// A refused login stays given up, across runs, until the credentials
// change: no run sends another request with the refused password.
func TestPoolRefusedLoginKeptUntilCredentialsChange(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{Auth: exchsim.AuthNTLM, User: `CORP\alice`, Password: "right",
		Calls: []exchsim.Call{{ID: "c", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	pool := NewPool()
	defer pool.Close()
	run := func(password string) error {
		t.Helper()
		p, calls := policy(ntlm("corp", srv.EWSURL(), password))
		cs, diags := pool.Connect(p, calls, Options{Parallelism: 2})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		defer cs.Close()
		_, err := cs.Callers()["corp"].CallInfo(context.Background(), "c")
		return err
	}
	for i := range 3 {
		var xe *throttle.ExchangeError
		if err := run("wrong"); !errors.As(err, &xe) || xe.Kind != throttle.KindAuth {
			t.Fatalf("run %d with a wrong password: %v, want the login refused", i+1, err)
		}
	}
	if got := srv.Stats().AuthFailures; got != 1 {
		t.Errorf("the server saw %d failed logins over three runs, want 1", got)
	}
	if err := run("right"); err != nil {
		t.Errorf("after the password was corrected: %v", err)
	}
}

// Closing a pooled run reports each exchange's statistics for that run
// only, once, to the observer.
func TestPoolRunReportsItsOwnStats(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{Calls: []exchsim.Call{{ID: "c", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	obs := &observer{}
	pool := NewPool()
	pool.Observer = obs
	defer pool.Close()
	p, calls := policy(&config.Exchange{Name: "corp", URL: srv.EWSURL()})
	for run, lookups := range []int{2, 1} {
		cs, _ := pool.Connect(p, calls, Options{})
		for range lookups {
			if _, err := cs.Callers()["corp"].CallInfo(context.Background(), "c"); err != nil {
				t.Fatal(err)
			}
		}
		cs.Close()
		cs.Close()
		if got := obs.retried["corp"]; len(got) != run+1 || got[run].Attempts != int64(lookups) {
			t.Errorf("run %d: reported %+v, want %d attempts for this run", run+1, got, lookups)
		}
	}
	if obs.requests != 3 {
		t.Errorf("observed %d timed requests, want 3", obs.requests)
	}
}
