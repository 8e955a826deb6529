package operation

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/planfile"
)

type noSources struct{}

func (noSources) SetConfigSources(map[string]*hcl.File) {}

// A policy never sees the plan key: env() gets its default, so a reason
// cannot carry the key into a plan file, nor a command read it from its
// environment.
func TestPolicyNeverSeesThePlanKey(t *testing.T) {
	dir := t.TempDir()
	src := `
exchange "corp" {
  url = "https://mail.example/EWS/Exchange.asmx"
}

end_call "x" {
  exchange = exchange.corp
  call_id  = "c-1"
  reason   = "${env("CALLCTL_PLAN_KEY", "unset")}/${env("CALLCTL_PLAN_KEY_FILE", "unset")}"
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	req := &Request{Dir: dir, Environ: []string{planfile.KeyEnv + "=0123456789abcdef0123456789abcdef-key", planfile.KeyFileEnv + "=/run/secrets/k", "OTHER=1"}}
	policy, diags := loadPolicy(req, nil, nil, config.DataOptions{}, time.Time{}, noSources{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if got := policy.Calls[0].Reason; got != "unset/unset" {
		t.Errorf("the policy read the plan key: reason %q", got)
	}
	if got := policyEnviron(req.Environ); len(got) != 1 || got[0] != "OTHER=1" {
		t.Errorf("policyEnviron = %q", got)
	}
}

// A signed plan file holds neither the plan key nor the key its variable
// fingerprints are keyed with, and apply reports the digest plan did.
func TestSignedPlanKeepsItsKeysOut(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef-key"
	f := newFixture(t, 0)
	req := &PlanRequest{Request: f.request(), Out: "p.plan"}
	req.Environ = []string{planfile.KeyEnv + "=" + secret}
	view := &recorder{}
	if res := Plan(context.Background(), req, view); res.Status != StatusOK {
		t.Fatalf("plan status %d: %q", res.Status, view.summaries())
	}
	b, err := os.ReadFile(filepath.Join(f.dir, "p.plan"))
	if err != nil {
		t.Fatal(err)
	}
	saved, err := planfile.Read(filepath.Join(f.dir, "p.plan"))
	if err != nil {
		t.Fatal(err)
	}
	key, _ := planfile.NewKey([]byte(secret))
	for _, leak := range []string{secret, planfile.VariableKey(saved.Inputs.Salt, key)} {
		if strings.Contains(string(b), leak) {
			t.Errorf("the plan file holds %q", leak)
		}
	}
	if saved.Verify(key) != nil || view.saved[0].KeyID != key.ID() || view.saved[0].Digest != saved.Digest() {
		t.Errorf("saved %+v; file digest %s, verify %v", view.saved[0], saved.Digest(), saved.Verify(key))
	}
	areq := &ApplyRequest{Request: Request{Dir: f.dir, Connect: f.request().Connect, Version: "0.0.0-test", Environ: req.Environ}, PlanFile: "p.plan"}
	aview := &recorder{}
	if res := Apply(context.Background(), context.Background(), areq, aview); res.Status != StatusOK {
		t.Fatalf("apply status %d: %q", res.Status, aview.summaries())
	}
	if aview.saved[0].Digest != saved.Digest() || aview.saved[0].KeyID != key.ID() {
		t.Errorf("apply reported %+v", aview.saved[0])
	}
}
