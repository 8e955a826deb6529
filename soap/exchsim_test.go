package soap_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/soap"
)

// TestAgainstSimulatorNTLM drives both dialects through the simulator's
// real NTLMv2 verifier with parallel lookups and disconnects, and checks
// that the server saw exactly one handshake per TCP connection.
func TestAgainstSimulatorNTLM(t *testing.T) {
	const parallelism, nCalls = 3, 12
	for _, dialect := range []string{soap.DialectEWS, soap.DialectUM2007} {
		t.Run(dialect, func(t *testing.T) {
			var calls []exchsim.Call
			for i := range nCalls {
				calls = append(calls, exchsim.Call{ID: fmt.Sprintf("call-%02d", i), State: soap.StateConnected})
			}
			sim, err := exchsim.NewServer(exchsim.Options{Calls: calls, Auth: exchsim.AuthNTLM, User: `CORP\alice`, Password: "secret"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(sim.Close)
			url := sim.EWSURL()
			if dialect == soap.DialectUM2007 {
				url = sim.UM2007URL()
			}
			c, err := soap.New(soap.Options{URL: url, Dialect: dialect, Auth: authkind.NTLM,
				Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"}, Parallelism: parallelism})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			ctx := context.Background()

			run := func(f func(id string) error) {
				t.Helper()
				var wg sync.WaitGroup
				errs := make(chan error, nCalls)
				for _, call := range calls {
					wg.Go(func() {
						if err := f(call.ID); err != nil {
							errs <- fmt.Errorf("%s: %w", call.ID, err)
						}
					})
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Error(err)
				}
			}
			expectState := func(want string) func(string) error {
				return func(id string) error {
					info, err := c.CallInfo(ctx, id)
					if err == nil && info.State != want {
						err = fmt.Errorf("state %q, want %q", info.State, want)
					}
					return err
				}
			}
			run(expectState(soap.StateConnected))
			run(func(id string) error { return c.Disconnect(ctx, id) })
			run(expectState(soap.StateDisconnected))

			if _, err := c.CallInfo(ctx, "no-such-call"); !errors.Is(err, soap.ErrCallNotFound) {
				t.Errorf("unknown id: err = %v, want ErrCallNotFound", err)
			}
			if err := c.Disconnect(ctx, "no-such-call"); !errors.Is(err, soap.ErrCallNotFound) {
				t.Errorf("unknown id: err = %v, want ErrCallNotFound", err)
			}

			st := sim.Stats()
			if st.NTLMHandshakes != st.Connections {
				t.Errorf("%d NTLM handshakes over %d connections, want one per connection", st.NTLMHandshakes, st.Connections)
			}
			if st.Connections > parallelism {
				t.Errorf("%d connections for %d requests, want at most %d", st.Connections, 3*nCalls+2, parallelism)
			}
			if st.AuthFailures != 0 {
				t.Errorf("%d authentication failures", st.AuthFailures)
			}
		})
	}
}

// TestAgainstSimulatorPlayOnPhone places a call with each dialect's
// PlayOnPhone and finds it again by the returned id.
func TestAgainstSimulatorPlayOnPhone(t *testing.T) {
	sim, err := exchsim.NewServer(exchsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	ctx := context.Background()

	ews, err := soap.NewEWS(soap.Options{URL: sim.EWSURL()})
	if err != nil {
		t.Fatal(err)
	}
	um, err := soap.NewUM(soap.Options{URL: sim.UM2007URL()})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]interface {
		soap.Caller
		PlayOnPhone(ctx context.Context, id, dial string) (string, error)
	}{"ews": ews, "um2007": um} {
		id, err := c.PlayOnPhone(ctx, "AAMkADk0N2NmN2Y5", "4255551212")
		if err != nil {
			t.Fatalf("%s: PlayOnPhone: %v", name, err)
		}
		info, err := c.CallInfo(ctx, id)
		if err != nil {
			t.Fatalf("%s: CallInfo(%q): %v", name, id, err)
		}
		if !soap.Active(info.State) {
			t.Errorf("%s: new call state %q, want a live one", name, info.State)
		}
		if err := c.Disconnect(ctx, id); err != nil {
			t.Errorf("%s: Disconnect: %v", name, err)
		}
		c.Close()
	}
}

// TestAgainstSimulatorFaults checks that every transient failure the
// simulator injects is reported as retryable, with the advised wait.
func TestAgainstSimulatorFaults(t *testing.T) {
	tests := []struct {
		name     string
		faults   exchsim.Faults
		dialects []string
		wait     time.Duration
	}{
		{"server busy", exchsim.Faults{ServerBusyRate: 1, BackOff: 3 * time.Second}, []string{soap.DialectEWS}, 3 * time.Second},
		// The 2007 fault has no MessageXml, so no advised wait.
		{"server busy", exchsim.Faults{ServerBusyRate: 1, BackOff: 3 * time.Second}, []string{soap.DialectUM2007}, 0},
		{"connection count", exchsim.Faults{ConnectionCountRate: 1}, []string{soap.DialectEWS}, 0},
		{"503", exchsim.Faults{UnavailableRate: 1, RetryAfter: 7 * time.Second}, []string{soap.DialectEWS, soap.DialectUM2007}, 7 * time.Second},
		{"reset", exchsim.Faults{ResetRate: 1}, []string{soap.DialectEWS, soap.DialectUM2007}, 0},
		{"hang", exchsim.Faults{HangRate: 1}, []string{soap.DialectEWS}, 0},
		{"HTML 500", exchsim.Faults{HTMLErrorRate: 1}, []string{soap.DialectEWS, soap.DialectUM2007}, 0},
	}
	for _, tt := range tests {
		for _, dialect := range tt.dialects {
			t.Run(tt.name+"/"+dialect, func(t *testing.T) {
				sim, err := exchsim.NewServer(exchsim.Options{
					Calls:  []exchsim.Call{{ID: "a", State: soap.StateConnected}},
					Faults: tt.faults,
				})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(sim.Close)
				url := sim.EWSURL()
				if dialect == soap.DialectUM2007 {
					url = sim.UM2007URL()
				}
				c, err := soap.New(soap.Options{URL: url, Dialect: dialect, Timeout: 200 * time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(c.Close)
				_, err = c.CallInfo(context.Background(), "a")
				if err == nil {
					t.Fatal("want an error")
				}
				retry, wait := soap.Retryable(err)
				if !retry || wait != tt.wait {
					t.Errorf("Retryable(%v) = %v, %v; want true, %v", err, retry, wait, tt.wait)
				}
			})
		}
	}
}

// TestAgainstSimulatorWrongPassword: a refused NTLM handshake is an HTTP
// 401, not retryable, and the error does not carry the password.
func TestAgainstSimulatorWrongPassword(t *testing.T) {
	sim, err := exchsim.NewServer(exchsim.Options{Auth: exchsim.AuthNTLM, User: `CORP\alice`, Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c, err := soap.New(soap.Options{URL: sim.EWSURL(), Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "wrong-pw-123"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	_, err = c.CallInfo(context.Background(), "a")
	var herr *soap.HTTPError
	if !errors.As(err, &herr) || herr.StatusCode != 401 {
		t.Fatalf("err = %v, want HTTP 401", err)
	}
	if retry, _ := soap.Retryable(err); retry {
		t.Error("a refused login must not be retryable")
	}
	if strings.Contains(err.Error(), "wrong-pw-123") {
		t.Errorf("error leaks the password: %v", err)
	}
	if got := sim.Stats().AuthFailures; got != 1 {
		t.Errorf("AuthFailures = %d, want 1", got)
	}
}
