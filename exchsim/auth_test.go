package exchsim

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/go-ntlmssp"
	"github.com/google/go-cmp/cmp"
)

// ntlmClient is how callctl talks NTLM: one Negotiator over a transport
// pinned to a single HTTP/1.1 connection.
func ntlmClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, ForceAttemptHTTP2: false}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: &ntlmssp.Negotiator{RoundTripper: tr}}
}

func ntlmPost(t *testing.T, c *http.Client, url, user, password string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, password) // credentials for the Negotiator
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func TestNTLMOneHandshakePerConnection(t *testing.T) {
	tests := map[string]struct{ configured, clientUser string }{
		"domain user":           {`CORP\alice`, `CORP\alice`},
		"case-insensitive":      {`CORP\alice`, `corp\ALICE`},
		"plain configured user": {"alice", `OTHER\alice`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := newTestServer(t, Options{Auth: AuthNTLM, User: tc.configured, Password: "secret",
				Calls: []Call{{ID: "live", State: "Connected"}}})
			c := ntlmClient(t)
			const n = 4
			for i := range n {
				status, body := ntlmPost(t, c, s.EWSURL(), tc.clientUser, "secret", ewsRequest(t, "GetPhoneCallInformation", "live"))
				if status != http.StatusOK || !bytes.Contains(body, []byte("Connected")) {
					t.Fatalf("request %d: status %d\n%s", i, status, body)
				}
			}
			st := s.Stats()
			if st.NTLMHandshakes != 1 || st.Connections != 1 {
				t.Errorf("handshakes %d, connections %d; want 1 and 1", st.NTLMHandshakes, st.Connections)
			}
			// 3 legs for the first request, then one anonymous request each
			// on the authenticated connection.
			if want := int64(3 + n - 1); st.HTTPRequests != want {
				t.Errorf("HTTPRequests = %d, want %d", st.HTTPRequests, want)
			}
			if st.Requests["GetPhoneCallInformation"] != n || st.AuthFailures != 0 {
				t.Errorf("Requests %v, AuthFailures %d", st.Requests, st.AuthFailures)
			}
		})
	}
}

func TestNTLMRejects(t *testing.T) {
	tests := map[string]struct{ user, password string }{
		"wrong password": {`CORP\alice`, "wrong"},
		"wrong user":     {`CORP\bob`, "secret"},
		"wrong domain":   {`EVIL\alice`, "secret"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := newTestServer(t, Options{Auth: AuthNTLM, User: `CORP\alice`, Password: "secret",
				Calls: []Call{{ID: "live", State: "Connected"}}})
			status, _ := ntlmPost(t, ntlmClient(t), s.EWSURL(), tc.user, tc.password, ewsRequest(t, "DisconnectPhoneCall", "live"))
			if status != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", status)
			}
			st := s.Stats()
			if st.AuthFailures != 1 || st.NTLMHandshakes != 0 || len(st.Requests) != 0 {
				t.Errorf("AuthFailures %d, handshakes %d, requests %v; want 1, 0, none", st.AuthFailures, st.NTLMHandshakes, st.Requests)
			}
			if got, _ := s.Call("live"); got.State != "Connected" {
				t.Errorf("an unauthenticated request disconnected the call")
			}
		})
	}
}

// TestNTLMWireDetails checks what go-ntlmssp depends on: separate
// WWW-Authenticate lines, an empty 401 body, the client's scheme echoed
// with the challenge, and garbage counted as a failure.
func TestNTLMWireDetails(t *testing.T) {
	s := newTestServer(t, Options{Auth: AuthNTLM, User: `CORP\alice`, Password: "secret"})
	c := newClient(t)
	send := func(auth string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.EWSURL(), strings.NewReader("<x/>"))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || len(b) != 0 {
			t.Fatalf("status %d, body %q; want 401 with empty body", resp.StatusCode, b)
		}
		return resp
	}

	resp := send("")
	if diff := cmp.Diff([]string{"Negotiate", "NTLM"}, resp.Header.Values("WWW-Authenticate")); diff != "" {
		t.Errorf("WWW-Authenticate lines (-want +got):\n%s", diff)
	}
	neg, _ := ntlmssp.NewNegotiateMessage("", "")
	for _, scheme := range []string{"Negotiate", "NTLM"} {
		resp := send(scheme + " " + base64.StdEncoding.EncodeToString(neg))
		v := resp.Header.Values("WWW-Authenticate")
		if len(v) != 1 || !strings.HasPrefix(v[0], scheme+" TlRMTVNTUAACAAAA") {
			t.Errorf("challenge for %s: %q, want one %q CHALLENGE token", scheme, v, scheme)
		}
	}
	if s.Stats().AuthFailures != 0 {
		t.Errorf("handshake legs counted as failures: %d", s.Stats().AuthFailures)
	}
	send("NTLM bm90IG50bG0=")                                   // base64, not NTLMSSP
	send("NTLM %%%")                                            // not base64
	send("NTLM " + base64.StdEncoding.EncodeToString(neg[:10])) // truncated
	if got := s.Stats().AuthFailures; got != 3 {
		t.Errorf("AuthFailures = %d, want 3", got)
	}
}

func TestBasicAuth(t *testing.T) {
	s := newTestServer(t, Options{Auth: AuthBasic, User: `CORP\alice`, Password: "secret",
		Calls: []Call{{ID: "live", State: "Connected"}}})
	c := newClient(t)
	tests := map[string]struct {
		user, password string // user "" sends no Authorization
		want           int
		failure        bool
	}{
		"domain user":    {`CORP\alice`, "secret", http.StatusOK, false},
		"bare user":      {"ALICE", "secret", http.StatusOK, false},
		"wrong password": {`CORP\alice`, "nope", http.StatusUnauthorized, true},
		"wrong domain":   {`EVIL\alice`, "secret", http.StatusUnauthorized, true},
		"no credentials": {"", "", http.StatusUnauthorized, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			before := s.Stats().AuthFailures
			req, _ := http.NewRequest(http.MethodPost, s.EWSURL(), bytes.NewReader(ewsRequest(t, "GetPhoneCallInformation", "live")))
			if tc.user != "" {
				req.SetBasicAuth(tc.user, tc.password)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == http.StatusUnauthorized && !slices.Equal(resp.Header.Values("WWW-Authenticate"), []string{`Basic realm="exchsim"`}) {
				t.Errorf("WWW-Authenticate = %q", resp.Header.Values("WWW-Authenticate"))
			}
			if got := s.Stats().AuthFailures - before; got != map[bool]int64{true: 1}[tc.failure] {
				t.Errorf("AuthFailures grew by %d", got)
			}
		})
	}
}

func TestAdminEndpointsNeedNoAuth(t *testing.T) {
	s := newTestServer(t, Options{Auth: AuthNTLM, User: `CORP\alice`, Password: "secret"})
	for _, p := range []string{"/_exchsim/calls", "/_exchsim/stats"} {
		resp, err := newClient(t).Get(s.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
}
