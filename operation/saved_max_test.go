package operation

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/planfile"
	"github.com/callctl/callctl/reconcile"
)

// A plan saved with -max-disconnects=0 may disconnect nothing: edited to
// disconnect calls, it is refused at apply ("0" is a limit, not "none").
func TestSavedPlanMaxDisconnectsZero(t *testing.T) {
	f := newFixture(t, 0)
	over := []exchsim.Call{{ID: "c-1", State: "Disconnected"}, {ID: "c-2", State: "Disconnected"}}
	if err := f.srv.SetCalls(over); err != nil {
		t.Fatal(err)
	}
	req := &PlanRequest{Request: f.request(), Out: "p.plan"}
	req.MaxDisconnects = 0
	if res := Plan(context.Background(), req, &recorder{}); res.Status != StatusOK {
		t.Fatalf("plan status %d", res.Status)
	}
	path := filepath.Join(f.dir, "p.plan")
	saved, err := planfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range saved.Plan.Changes {
		c.Action, c.State = reconcile.ActionDisconnect, "Connected"
	}
	b, err := planfile.Encode(saved, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.SetCalls([]exchsim.Call{{ID: "c-1", State: "Connected"}, {ID: "c-2", State: "Connected"}}); err != nil {
		t.Fatal(err)
	}
	view := &recorder{}
	areq := &ApplyRequest{Request: Request{Dir: f.dir, Connect: f.request().Connect, Version: "0.0.0-test"}, PlanFile: "p.plan"}
	if res := Apply(context.Background(), context.Background(), areq, view); res.Status != StatusError {
		t.Errorf("apply status %d, want error", res.Status)
	}
	findDiag(t, view, "Saved plan exceeds its -max-disconnects")
	for _, id := range []string{"c-1", "c-2"} {
		if s := f.state(t, id); s != "Connected" {
			t.Errorf("%s is %s: a plan allowed no disconnects disconnected it", id, s)
		}
	}
}
