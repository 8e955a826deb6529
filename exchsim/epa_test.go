package exchsim

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/go-ntlmssp"

	"github.com/callctl/callctl/internal/extools"
)

// newTLSServer starts an https NTLM simulator with the given EPA mode and
// writes its CA to a file, returned with it.
func newTLSServer(t *testing.T, epa string) (*Server, string) {
	t.Helper()
	s := newTestServer(t, Options{TLS: true, EPA: epa, Auth: AuthNTLM, User: `CORP\alice`, Password: "secret",
		Calls: []Call{{ID: "live", State: "Connected"}}})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, s.CACertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return s, caFile
}

// pythonNTLM runs requests_ntlm against url twice over one session and
// returns the two status lines.
func pythonNTLM(t *testing.T, url, mode, caFile string, body []byte) string {
	t.Helper()
	python, env := extools.NTLMPython(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "testdata/requests_ntlm_client.py", url, `CORP\alice`, "secret", mode, caFile)
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("requests_ntlm (%s): %v\n%s", mode, err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// curlNTLM runs curl --ntlm, which sends no channel bindings, and
// returns the final HTTP status.
func curlNTLM(t *testing.T, url, caFile string, body []byte) string {
	t.Helper()
	curl := extools.Require(t, "curl", "curl --ntlm is the client without channel bindings")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--ntlm", "-u", `CORP\alice:secret`,
		"--cacert", caFile, "-H", "Content-Type: text/xml; charset=utf-8", "--data-binary", "@-", url)
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// The simulator's Extended Protection, checked by clients that are not
// ours: requests_ntlm binds the login to the certificate and is let in
// under every mode; the same client without bindings, and curl --ntlm
// (which has none), are refused under require and let in under allow; a
// binding to another certificate is refused under allow and require.
func TestEPAThirdPartyClients(t *testing.T) {
	body := ewsRequest(t, "GetPhoneCallInformation", "live")
	type want struct {
		python, pythonNoCBT, pythonWrongCBT, curl string
		missing, mismatch                         int64
	}
	for _, tc := range []struct {
		epa  string
		want want
	}{
		{EPANone, want{"200 200", "200 200", "200 200", "200", 0, 0}},
		{EPAAllow, want{"200 200", "200 200", "401 401", "200", 0, 2}},
		{EPARequire, want{"200 200", "401 401", "401 401", "401", 3, 2}},
	} {
		t.Run(tc.epa, func(t *testing.T) {
			s, caFile := newTLSServer(t, tc.epa)
			url := s.EWSURL()
			got := want{
				python:         pythonNTLM(t, url, "cbt", caFile, body),
				pythonNoCBT:    pythonNTLM(t, url, "nocbt", caFile, body),
				pythonWrongCBT: pythonNTLM(t, url, "wrongcbt", caFile, body),
				curl:           curlNTLM(t, url, caFile, body),
			}
			st := s.Stats()
			got.missing, got.mismatch = st.CBTMissing, st.CBTMismatch
			if got != tc.want {
				t.Errorf("-epa %s:\n got %+v\nwant %+v", tc.epa, got, tc.want)
			}
			if st.AuthFailures != st.CBTMissing+st.CBTMismatch {
				t.Errorf("auth_failures %d, want the %d refused bindings", st.AuthFailures, st.CBTMissing+st.CBTMismatch)
			}
		})
	}
}

// go-ntlmssp as released sends no binding: under require it is refused
// with a 401 and counted as cbt_missing, which is what callctl saw before
// it learnt channel binding.
func TestEPARequireRefusesGoNTLMSSPWithoutBinding(t *testing.T) {
	s, _ := newTLSServer(t, EPARequire)
	tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, TLSClientConfig: s.ClientTLSConfig()}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: &ntlmssp.Negotiator{RoundTripper: tr}}
	req, _ := http.NewRequest(http.MethodPost, s.EWSURL(), bytes.NewReader(ewsRequest(t, "GetPhoneCallInformation", "live")))
	req.SetBasicAuth(`CORP\alice`, "secret")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	st := s.Stats()
	if resp.StatusCode != http.StatusUnauthorized || st.CBTMissing != 1 || st.AuthFailures != 1 || st.NTLMHandshakes != 0 {
		t.Errorf("status %d, stats %+v; want 401 with one cbt_missing auth failure", resp.StatusCode, st)
	}
}

func TestEPAOptionsChecked(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{EPA: EPARequire}, "needs TLS"},
		{Options{EPA: "strict", TLS: true}, `unknown -epa "strict"`},
	} {
		if _, err := NewUnstartedServer(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.opts, err, tc.want)
		}
	}
}
