package exchsim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOptionsValidation(t *testing.T) {
	tests := map[string]struct {
		opts    Options
		wantErr string
	}{
		"defaults":             {Options{}, ""},
		"ntlm without user":    {Options{Auth: AuthNTLM}, "needs a user"},
		"unknown auth":         {Options{Auth: "digest"}, `unknown auth "digest"`},
		"all interfaces":       {Options{Listen: ":0"}, "not loopback"},
		"public address":       {Options{Listen: "192.0.2.1:0"}, "not loopback"},
		"host name":            {Options{Listen: "example.com:0"}, "not loopback"},
		"allowed non-loopback": {Options{Listen: ":0", AllowNonLoopback: true}, ""},
		"localhost":            {Options{Listen: "localhost:0"}, ""},
		"ipv6 loopback":        {Options{Listen: "[::1]:0"}, ""},
		"no port":              {Options{Listen: "127.0.0.1"}, "listen address"},
		"bad call":             {Options{Calls: []Call{{ID: "a", State: "Up"}}}, "unknown state"},
		"negative latency":     {Options{Latency: -1}, "negative latency"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := NewUnstartedServer(tc.opts)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestServerLifecycle(t *testing.T) {
	s, err := NewUnstartedServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Faults.ServerBusyRate = 1 // knobs may change until Start
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(s.URL) {
		t.Errorf("URL = %q", s.URL)
	}
	if s.EWSURL() != s.URL+"/EWS/Exchange.asmx" || s.UM2007URL() != s.URL+"/UnifiedMessaging/Service.asmx" {
		t.Errorf("EWSURL %q, UM2007URL %q", s.EWSURL(), s.UM2007URL())
	}
	resp, _ := postRaw(t, newClient(t), s.EWSURL(), ewsRequest(t, "GetPhoneCallInformation", "x"))
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d; the Faults set before Start were not used", resp.StatusCode)
	}
	s.Close()
	s.Close() // idempotent
	if _, err := http.Get(s.URL + "/_exchsim/stats"); err == nil {
		t.Error("server still answers after Close")
	}

	unstarted, _ := NewUnstartedServer(Options{})
	unstarted.Close() // must not panic
}

func TestMethodNotAllowed(t *testing.T) {
	s := newTestServer(t, Options{})
	resp, err := newClient(t).Get(s.EWSURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET: %d, Allow %q; want 405, POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestAdminEndpoints(t *testing.T) {
	s := newTestServer(t, Options{Calls: []Call{{ID: "b", State: "Disconnected", Cause: "Other"}, {ID: "a", State: "Connected"}}})
	c := newClient(t)
	post(t, c, s.EWSURL(), ewsRequest(t, "DisconnectPhoneCall", "a"))

	var calls struct{ Calls []Call }
	getJSON(t, c, s.URL+"/_exchsim/calls", &calls)
	want := []Call{{ID: "a", State: "Disconnected"}, {ID: "b", State: "Disconnected", Cause: "Other"}}
	if diff := cmp.Diff(want, calls.Calls); diff != "" {
		t.Errorf("/_exchsim/calls (-want +got):\n%s", diff)
	}

	var st Stats
	getJSON(t, c, s.URL+"/_exchsim/stats", &st)
	if st.Requests["DisconnectPhoneCall"] != 1 || st.HTTPRequests != 1 || st.Connections != 1 {
		t.Errorf("/_exchsim/stats = %+v; want 1 DisconnectPhoneCall, 1 HTTP request (admin not counted), 1 connection", st)
	}
}

func getJSON(t *testing.T, c *http.Client, url string, v any) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
