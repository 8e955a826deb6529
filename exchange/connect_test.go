package exchange

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/soap"
)

func TestConnect(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{Calls: []exchsim.Call{{ID: "a", State: "Connected"}, {ID: "c", State: "Alerted"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	exchanges := func() map[string]*config.Exchange {
		return map[string]*config.Exchange{
			"corp":   {Name: "corp", URL: srv.EWSURL(), Dialect: "ews", ServerVersion: "Exchange2010"},
			"lab":    {Name: "lab", URL: srv.EWSURL(), Dialect: "ews", ServerVersion: "Exchange2010"},
			"unused": {Name: "unused", URL: "https://unused.invalid/EWS/Exchange.asmx", Dialect: "ews"},
		}
	}
	tests := map[string]struct {
		edit      func(map[string]*config.Exchange)
		calls     []*config.Call
		want      []string // exchanges with a client
		wantDiags []string
	}{
		"one client per exchange the calls use": {
			calls: declared(),
			want:  []string{"corp", "lab"},
		},
		"no calls, no clients": {
			want: []string{},
		},
		"an undeclared exchange": {
			edit:      func(m map[string]*config.Exchange) { delete(m, "lab") },
			calls:     declared(),
			want:      []string{"corp"},
			wantDiags: []string{"Reference to undeclared exchange"},
		},
		"a client that cannot be set up names its exchange": {
			edit:      func(m map[string]*config.Exchange) { m["lab"].CAFile = filepath.Join(t.TempDir(), "missing.pem") },
			calls:     declared(),
			want:      []string{"corp"},
			wantDiags: []string{"Cannot set up exchange client"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ex := exchanges()
			if tc.edit != nil {
				tc.edit(ex)
			}
			cs, diags := Connect(&config.Policy{Exchanges: ex}, tc.calls, Options{Parallelism: 3})
			defer cs.Close()
			callers := cs.Callers()
			var sums []string
			for _, d := range diags {
				sums = append(sums, d.Summary)
			}
			if diff := cmp.Diff(tc.wantDiags, sums); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			got := []string{}
			for name := range callers {
				got = append(got, name)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("clients (-want +got):\n%s", diff)
			}
			for name, c := range callers {
				// Every client reaches its exchange.
				if _, err := c.CallInfo(context.Background(), "a"); err != nil {
					t.Errorf("%s: lookup through the client: %v", name, err)
				}
			}
			if len(callers) > 0 {
				if s := cs.Stats(); s.Attempts != int64(len(callers)) {
					t.Errorf("retry stats count %d attempts, want %d", s.Attempts, len(callers))
				}
			}
		})
	}
}

func TestClientOptions(t *testing.T) {
	ex := &config.Exchange{
		URL: "https://ex/EWS/Exchange.asmx", Dialect: "ews", ServerVersion: "Exchange2013",
		CAFile: "/ca.pem", InsecureSkipVerify: true, AllowInsecureHTTP: true,
		Auth: &config.Auth{Kind: "basic", Credentials: authkind.Credentials{"username": "u", "password": "p"}},
	}
	got := SOAPOptions(ex, Options{Parallelism: 7, Timeout: time.Second})
	want := soap.Options{
		URL: ex.URL, Dialect: "ews", ServerVersion: "Exchange2013", Auth: "basic", Credentials: authkind.Credentials{"username": "u", "password": "p"},
		CAFile: "/ca.pem", InsecureSkipVerify: true, AllowInsecureHTTP: true, Parallelism: 7, Timeout: time.Second,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	if got := SOAPOptions(&config.Exchange{URL: ex.URL}, Options{}); got.Auth != soap.AuthNone {
		t.Errorf("no auth block gives auth %q, want %q", got.Auth, soap.AuthNone)
	}
}

func declared() []*config.Call {
	return []*config.Call{
		{Address: "end_call.bridge", Exchange: "corp", CallID: "b"},
		{Address: `end_call.stuck["a"]`, Exchange: "corp", CallID: "a"},
		{Address: `end_call.stuck["c"]`, Exchange: "lab", CallID: "c"},
	}
}
