package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/go-ntlmssp"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/internal/testbuf"
	"github.com/google/go-cmp/cmp"
)

// start runs the command in the background and returns its base URL once
// the first stdout line is out, and a stop function returning the exit
// code.
func start(t *testing.T, args ...string) (url string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &testbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		code := run(ctx, args, pw, stderr)
		pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no first line: %v; exit %d, stderr:\n%s", err, <-done, stderr)
	}
	m := regexp.MustCompile(`^listening on (https?://127\.0\.0\.1:[1-9][0-9]*)\n$`).FindStringSubmatch(line)
	if m == nil {
		cancel()
		t.Fatalf("first line %q, want \"listening on http(s)://127.0.0.1:PORT\"", line)
	}
	go io.Copy(io.Discard, pr)
	var once sync.Once
	code := -1
	stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { stop() })
	return m[1], stop
}

func TestRunServesUntilCancelled(t *testing.T) {
	callsFile := filepath.Join(t.TempDir(), "calls.json")
	calls := `{"calls":[{"id":"b","state":"Connected"},{"id":"a","state":"Disconnected","cause":"NoAnswer"}]}`
	if err := os.WriteFile(callsFile, []byte(calls), 0o644); err != nil {
		t.Fatal(err)
	}
	url, stop := start(t, "-listen", "127.0.0.1:0", "-calls", callsFile, "-latency", "1ms")

	resp, err := http.Get(url + "/_exchsim/calls")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Calls []exchsim.Call }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := []exchsim.Call{{ID: "a", State: "Disconnected", Cause: "NoAnswer"}, {ID: "b", State: "Connected"}}
	if diff := cmp.Diff(want, got.Calls); diff != "" {
		t.Errorf("/_exchsim/calls (-want +got):\n%s", diff)
	}

	if code := stop(); code != 0 {
		t.Errorf("exit %d after cancel, want 0", code)
	}
	if _, err := http.Get(url + "/_exchsim/calls"); err == nil {
		t.Error("still serving after run returned")
	}
}

func TestRunNTLM(t *testing.T) {
	url, _ := start(t, "-auth", "ntlm", "-user", `CORP\alice`, "-password", "secret")
	tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: &ntlmssp.Negotiator{RoundTripper: tr}}
	for _, tc := range []struct {
		password string
		want     int
	}{{"secret", http.StatusInternalServerError}, {"wrong", http.StatusUnauthorized}} {
		// An authenticated empty POST is a schema-validation fault (500).
		req, _ := http.NewRequest(http.MethodPost, url+exchsim.EWSPath, strings.NewReader(""))
		req.SetBasicAuth(`CORP\alice`, tc.password)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("password %q: status %d, want %d", tc.password, resp.StatusCode, tc.want)
		}
		tr.CloseIdleConnections() // a fresh connection, so the second try must authenticate
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	badCalls := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badCalls, []byte(`{"calls":[{"id":"a","state":"Ringing"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()

	tests := map[string]struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		"unknown flag":       {[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		"bad duration":       {[]string{"-latency", "soon"}, 2, `invalid value "soon" for flag -latency`},
		"positional":         {[]string{"calls.json"}, 2, `unexpected argument "calls.json"`},
		"unknown auth":       {[]string{"-auth", "digest"}, 2, `unknown auth "digest"`},
		"epa without tls":    {[]string{"-epa", "require"}, 2, "-epa require needs TLS"},
		"unknown epa":        {[]string{"-tls", "-epa", "always"}, 2, `unknown -epa "always"`},
		"cert without key":   {[]string{"-tls-cert", badCalls}, 2, "-tls-cert and -tls-key go together"},
		"tls and tls-cert":   {[]string{"-tls", "-tls-cert", badCalls, "-tls-key", badCalls}, 2, "use one of them"},
		"ca-out without tls": {[]string{"-tls-ca-out", filepath.Join(dir, "ca.pem")}, 2, "add -tls"},
		"unreadable cert":    {[]string{"-tls-cert", filepath.Join(dir, "nope.pem"), "-tls-key", filepath.Join(dir, "nope.key")}, 2, "nope.pem"},
		"kerberos no keytab": {[]string{"-auth", "kerberos", "-user", "alice@CALLCTL.TEST"}, 2, "needs a service keytab (-keytab FILE)"},
		"ntlm without user":  {[]string{"-auth", "ntlm"}, 2, "needs a user"},
		"missing calls":      {[]string{"-calls", filepath.Join(dir, "nope.json")}, 2, "nope.json"},
		"bad calls":          {[]string{"-calls", badCalls}, 2, `unknown state "Ringing"`},
		"non-loopback":       {[]string{"-listen", "0.0.0.0:0"}, 2, "not loopback"},
		"rate too high":      {[]string{"-busy-rate", "1.5"}, 2, "server_busy"},
		"rates sum":          {[]string{"-busy-rate", "0.7", "-hang-rate", "0.7"}, 2, "sum"},
		"port taken":         {[]string{"-listen", taken.Addr().String()}, 1, "address already in use"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d", code, tc.wantCode)
			}
			if !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("stderr %q, want it to mention %q", stderr.String(), tc.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

func TestHelpDocumentsAdminEndpoints(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"-calls file", "POST /_exchsim/calls", `{"calls":[{"id":"c-9","state":"Connected"}]}`, "GET  /_exchsim/stats"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("-help lacks %q:\n%s", want, &stderr)
		}
	}
}
