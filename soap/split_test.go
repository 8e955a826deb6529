package soap

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/exchsim"
)

// dropAfterChallenge closes the transport's idle connection once, right
// after the CHALLENGE leg: what net/http does on its own when it has not
// finished writing a request 50 ms after the answer came (a loaded
// machine, the race detector). The AUTHENTICATE leg then rides a new
// connection, which the server has never challenged.
type dropAfterChallenge struct {
	tr   *http.Transport
	next http.RoundTripper
	once *sync.Once
}

func (d dropAfterChallenge) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && strings.Contains(resp.Header.Get("WWW-Authenticate"), " ") {
		d.once.Do(func() {
			resp.Body.Close()
			d.tr.CloseIdleConnections()
		})
	}
	return resp, err
}

// Good credentials are never reported as bad: a handshake whose legs were
// split across connections starts over instead of ending in a 401.
func TestSplitHandshakeIsNotAnAuthFailure(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{Auth: exchsim.AuthNTLM, User: `CORP\alice`, Password: "secret",
		Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	var once sync.Once
	old := wrapLeg
	wrapLeg = func(tr *http.Transport, rt http.RoundTripper) http.RoundTripper {
		return dropAfterChallenge{tr: tr, next: rt, once: &once}
	}
	t.Cleanup(func() { wrapLeg = old })

	c := mustNew(t, Options{URL: srv.EWSURL(), Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"}, Parallelism: 1})
	info, err := c.CallInfo(context.Background(), "c-1")
	if err != nil {
		t.Fatalf("good credentials, handshake split across connections: %v", err)
	}
	if info.State != "Connected" {
		t.Errorf("state = %q", info.State)
	}
}

// A URL that is plainly the other dialect's endpoint is refused with a
// message that names dialect.
func TestDialectURLMismatch(t *testing.T) {
	for name, opts := range map[string]Options{
		"um2007 at the EWS path": {URL: "https://mail.example/EWS/Exchange.asmx", Dialect: DialectUM2007},
		"ews at the UM path":     {URL: "https://mail.example/UnifiedMessaging/Service.asmx", Dialect: DialectEWS},
		"default at the UM path": {URL: "https://mail.example/unifiedmessaging/service.asmx/"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(opts)
			if err == nil || !strings.Contains(err.Error(), "set dialect = ") {
				t.Errorf("err = %v, want one that names dialect", err)
			}
		})
	}
}
