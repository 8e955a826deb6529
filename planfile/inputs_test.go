package planfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/reconcile"
)

const salt = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func policy(url string) *config.Policy {
	return &config.Policy{
		Sources:   map[string][]byte{"main.hcl": []byte("main")},
		Variables: map[string]cty.Value{"pin": cty.StringVal("1234"), "ticket": cty.StringVal("INC-1")},
		Sensitive: map[string]bool{"pin": true},
		Exchanges: map[string]*config.Exchange{"corp": {Name: "corp", URL: url, Dialect: "ews", Auth: &config.Auth{Kind: "ntlm", Credentials: authkind.Credentials{"username": "alice", "password": "secret"}}}},
	}
}

func TestInputsOf(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "i.vars"), []byte(`ticket = "INC-1"`), 0o600); err != nil {
		t.Fatal(err)
	}
	resolve := func(p string) string { return filepath.Join(dir, p) }
	vars := []string{"pin=1234", "ticket=INC-1"}
	in, err := InputsOf(policy("https://a/EWS/Exchange.asmx"), []string{"i.vars"}, resolve, vars, salt)
	if err != nil {
		t.Fatal(err)
	}
	// The var-file is recorded as given and fingerprinted; the sensitive
	// -var is not kept.
	if d := cmp.Diff([]string{"i.vars"}, in.VarFiles); d != "" {
		t.Errorf("var files (-want +got):\n%s", d)
	}
	if _, ok := in.Sources["i.vars"]; !ok {
		t.Error("the var-file is not fingerprinted")
	}
	if d := cmp.Diff([]string{"ticket=INC-1"}, in.Vars); d != "" {
		t.Errorf("vars kept (-want +got):\n%s", d)
	}
	// Values are keyed hashes: neither the PIN nor the password appears.
	b, _ := Encode(&File{Inputs: *in, Plan: &reconcile.Plan{}}, nil)
	for _, secret := range []string{"1234", "secret", Hash([]byte(`"1234"`))} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the inputs give away %q", secret)
		}
	}
	// Another URL behind the same exchange changes the fingerprint.
	moved, err := InputsOf(policy("https://b/EWS/Exchange.asmx"), []string{"i.vars"}, resolve, vars, salt)
	if err != nil {
		t.Fatal(err)
	}
	if moved.PolicyHash == in.PolicyHash {
		t.Error("a moved exchange keeps the fingerprint")
	}
	if d := cmp.Diff([]string{`exchange "corp" changed`}, in.Changes(moved)); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	// The same inputs with the same salt give the same fingerprint.
	again, _ := InputsOf(policy("https://a/EWS/Exchange.asmx"), []string{"i.vars"}, resolve, vars, salt)
	if again.PolicyHash != in.PolicyHash {
		t.Error("the fingerprint is not stable")
	}
	if _, err := InputsOf(policy("https://a"), []string{"missing.vars"}, resolve, nil, salt); err == nil || !strings.Contains(err.Error(), "missing.vars") {
		t.Errorf("a missing var-file: err = %v, want one naming it", err)
	}
}
