package soap_test

import (
	"context"
	"testing"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/soap"
)

// Requests made one after another reuse the connection (and its NTLM
// login) of the one before, however many lanes the client has: lending
// the lane released last keeps the warm connection in use, where a queue
// of lanes would open and authenticate one connection per lane in turn.
// apply -watch relies on this to keep handshakes flat across cycles.
func TestSequentialRequestsReuseOneConnection(t *testing.T) {
	sim, err := exchsim.NewServer(exchsim.Options{
		Calls: []exchsim.Call{{ID: "a", State: soap.StateConnected}, {ID: "b", State: soap.StateConnected}},
		Auth:  exchsim.AuthNTLM, User: `CORP\alice`, Password: "secret",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c, err := soap.New(soap.Options{URL: sim.EWSURL(), Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"}, Parallelism: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx := context.Background()
	for range 5 {
		for _, id := range []string{"a", "b"} {
			if _, err := c.CallInfo(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := c.Disconnect(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	st := sim.Stats()
	if st.Connections != 1 || st.NTLMHandshakes != 1 {
		t.Errorf("11 sequential requests opened %d connections with %d handshakes, want 1 and 1", st.Connections, st.NTLMHandshakes)
	}
}
