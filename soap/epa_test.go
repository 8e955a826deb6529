package soap_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// epaServer starts an https NTLM simulator with Extended Protection set
// to require, and writes its CA (and any extra PEM) to a ca_file.
func epaServer(t *testing.T, nCalls int) (*exchsim.Server, string) {
	t.Helper()
	var calls []exchsim.Call
	for i := range nCalls {
		calls = append(calls, exchsim.Call{ID: fmt.Sprintf("call-%02d", i), State: soap.StateConnected})
	}
	sim, err := exchsim.NewServer(exchsim.Options{TLS: true, EPA: exchsim.EPARequire, Calls: calls,
		Auth: exchsim.AuthNTLM, User: `CORP\alice`, Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim, writeCA(t, sim.CACertPEM())
}

func writeCA(t *testing.T, pems ...[]byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "ca.pem")
	var all []byte
	for _, p := range pems {
		all = append(all, p...)
	}
	if err := os.WriteFile(f, all, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func lookUpConcurrently(t *testing.T, c soap.Caller, n int) []error {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = c.CallInfo(context.Background(), fmt.Sprintf("call-%02d", i)) })
	}
	wg.Wait()
	return errs
}

// Over https the NTLMv2 login carries the channel binding of the
// server's certificate, so a server that requires Extended Protection
// lets it in, and connections stay pinned: one handshake per
// connection, as many connections as lanes.
func TestNTLMChannelBindingAgainstEPARequire(t *testing.T) {
	const parallelism, nCalls = 4, 40
	sim, caFile := epaServer(t, nCalls)
	c, err := soap.New(soap.Options{URL: sim.EWSURL(), Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"},
		CAFile: caFile, Parallelism: parallelism})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	for i, err := range lookUpConcurrently(t, c, nCalls) {
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	st := sim.Stats()
	if st.NTLMHandshakes != st.Connections || st.Connections != parallelism {
		t.Errorf("%d handshakes over %d connections, want one per connection and %d connections", st.NTLMHandshakes, st.Connections, parallelism)
	}
	if st.AuthFailures != 0 || st.CBTMissing != 0 || st.CBTMismatch != 0 || st.CBTValid != st.NTLMHandshakes {
		t.Errorf("stats %+v, want every login bound and none refused", st)
	}
}

// Without the binding, every login is refused, and the error says that
// no binding was sent rather than only blaming the password.
func TestNTLMWithoutChannelBindingRefused(t *testing.T) {
	sim, caFile := epaServer(t, 1)
	defer soap.WithoutChannelBinding()()
	c, err := soap.New(soap.Options{URL: sim.EWSURL(), Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"},
		CAFile: caFile, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	_, err = c.CallInfo(context.Background(), "call-00")
	if !soap.AuthFailed(err) || !strings.Contains(err.Error(), "no Extended Protection channel binding could be sent") {
		t.Fatalf("err = %v, want a 401 naming the missing channel binding", err)
	}
	if st := sim.Stats(); st.CBTMissing != 1 || st.AuthFailures != 1 {
		t.Errorf("stats %+v, want one cbt_missing refusal", st)
	}
}

// Behind a TLS-terminating proxy with a certificate of its own (which the
// client trusts, as machines behind an inspecting middlebox are made to),
// the login is bound to the proxy's certificate and refused; the error
// names Extended Protection, the certificate mismatch and the
// certificate callctl saw.
func TestNTLMBehindTLSTerminatingProxy(t *testing.T) {
	sim, _ := epaServer(t, 1)
	proxy, err := exchsim.NewTLSProxy(sim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	c, err := soap.New(soap.Options{URL: proxy.EWSURL(), Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"},
		CAFile: writeCA(t, sim.CACertPEM(), proxy.CACertPEM()), Parallelism: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	_, err = c.CallInfo(context.Background(), "call-00")
	var herr *soap.HTTPError
	if !errors.As(err, &herr) || herr.Binding == nil || herr.Binding.NotSent != "" {
		t.Fatalf("err = %v, want a 401 with the bound certificate", err)
	}
	for _, want := range []string{"Extended Protection", "certificate mismatch", "TLS-inspecting proxy", "exchsim throwaway CA", "SHA-256 "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if st := sim.Stats(); st.CBTMismatch != 1 || st.AuthFailures != 1 {
		t.Errorf("stats %+v, want one cbt_mismatch refusal", st)
	}
}

// With the binding refused, 40 calls in flight cost one failed login:
// the first request proves the credentials and its refusal stops the
// others, as with a wrong password.
func TestRefusedBindingCostsOneFailedLogin(t *testing.T) {
	const n = 40
	sim, caFile := epaServer(t, n)
	defer soap.WithoutChannelBinding()()
	inner, err := soap.New(soap.Options{URL: sim.EWSURL(), Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"},
		CAFile: caFile, Parallelism: 10})
	if err != nil {
		t.Fatal(err)
	}
	c := throttle.Wrap(inner, throttle.Policy{Exchange: "corp", ProveFirst: true, Parallelism: 10})
	t.Cleanup(c.Close)
	for i, err := range lookUpConcurrently(t, c, n) {
		if !soap.AuthFailed(err) {
			t.Fatalf("call %d: err = %v, want an authentication failure", i, err)
		}
	}
	if st := sim.Stats(); st.AuthFailures != 1 || st.CBTMissing != 1 {
		t.Errorf("stats %+v, want one refused login for %d calls", st, n)
	}
}

// A TLS bridge that presents Exchange's own certificate keeps the binding
// valid: the login goes through it.
func TestNTLMThroughTLSBridgeWithServersCertificate(t *testing.T) {
	sim, caFile := epaServer(t, 1)
	bridge, err := exchsim.NewTLSBridge(sim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bridge.Close)
	c, err := soap.New(soap.Options{URL: bridge.EWSURL(), Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"},
		CAFile: caFile, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if _, err := c.CallInfo(context.Background(), "call-00"); err != nil {
		t.Fatalf("through a bridge with the server's certificate: %v", err)
	}
	if st := sim.Stats(); st.CBTValid != 1 || st.AuthFailures != 0 {
		t.Errorf("stats %+v, want one bound login", st)
	}
}
