package exchsim_test

import (
	"context"
	"testing"

	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/vocab"
)

// The simulator and the client speak one vocabulary: every state the
// client knows, the simulator can hold and reports as the client spells
// it, in both dialects, with the same idea of which states are live; and
// a state outside it is refused, so that no test runs on a made-up one.
func TestSimulatorStatesAreTheClients(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	clients := map[string]soap.Options{
		soap.DialectEWS:    {URL: srv.EWSURL(), Dialect: soap.DialectEWS},
		soap.DialectUM2007: {URL: srv.UM2007URL(), Dialect: soap.DialectUM2007},
	}
	for _, state := range vocab.States() {
		if err := srv.SetCalls([]exchsim.Call{{ID: "c", State: state}}); err != nil {
			t.Errorf("the simulator refuses state %q: %v", state, err)
			continue
		}
		for dialect, opts := range clients {
			c, err := soap.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			info, err := c.CallInfo(context.Background(), "c")
			c.Close()
			if err != nil {
				t.Errorf("%s: %s call: %v", dialect, state, err)
				continue
			}
			if info.State != state {
				t.Errorf("%s: simulator reports %q, client reads %q", dialect, state, info.State)
			}
			if soap.Active(info.State) != vocab.Active(state) {
				t.Errorf("%s: %q live to the client: %v, in the vocabulary: %v", dialect, state, soap.Active(info.State), vocab.Active(state))
			}
		}
	}
	if err := srv.SetCalls([]exchsim.Call{{ID: "c", State: "Parked"}}); err == nil {
		t.Error("the simulator holds a state the client does not know")
	}
}
