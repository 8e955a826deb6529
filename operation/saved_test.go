package operation

import (
	"os"
	"path/filepath"
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
