package operation

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/callctl/callctl/planfile"
)

// Apply refuses a plan whose signature does not fit the configured key,
// and plan refuses to save under a key it cannot use.
func TestSavedPlanSignatureChecks(t *testing.T) {
	const keyA = "0123456789abcdef0123456789abcdef-key-a"
	const keyB = "0123456789abcdef0123456789abcdef-key-b"
	tests := map[string]struct {
		planKey, applyKey []string
		wantSummary       string
		wantDetail        string
	}{
		"unsigned plan, key set at apply": {
			applyKey:    []string{planfile.KeyEnv + "=" + keyA},
			wantSummary: "Unsigned plan", wantDetail: "is not signed, and a plan key is configured",
		},
		"signed plan, no key at apply": {
			planKey:     []string{planfile.KeyEnv + "=" + keyA},
			wantSummary: "Signed plan, no plan key", wantDetail: "its signature cannot be checked",
		},
		"signed with another key": {
			planKey:     []string{planfile.KeyEnv + "=" + keyA},
			applyKey:    []string{planfile.KeyEnv + "=" + keyB},
			wantSummary: "Plan signed with another key", wantDetail: "the configured key's id is",
		},
		"invalid key at apply": {
			applyKey:    []string{planfile.KeyEnv + "=" + keyA, planfile.KeyFileEnv + "=/nowhere"},
			wantSummary: "Invalid plan key", wantDetail: "Both " + planfile.KeyEnv + " and " + planfile.KeyFileEnv + " are set",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, 0)
			req := &PlanRequest{Request: f.request(), Out: "p.plan"}
			req.Environ = tc.planKey
			if res := Plan(context.Background(), req, &recorder{}); res.Status != StatusOK {
				t.Fatalf("plan status %d", res.Status)
			}
			view := &recorder{}
			areq := &ApplyRequest{Request: Request{Dir: f.dir, Connect: f.request().Connect, Environ: tc.applyKey}, PlanFile: "p.plan"}
			if res := Apply(context.Background(), context.Background(), areq, view); res.Status != StatusError {
				t.Errorf("status %d, want error", res.Status)
			}
			d := findDiag(t, view, tc.wantSummary)
			if !strings.Contains(d, tc.wantDetail) || !strings.Contains(d, "disconnected.") {
				t.Errorf("detail %q lacks %q", d, tc.wantDetail)
			}
			if len(view.saved) != 0 {
				t.Errorf("a refused plan was reported as loaded: %+v", view.saved)
			}
			if f.state(t, "c-1") != "Connected" || f.state(t, "c-2") != "Connected" {
				t.Error("a refused plan disconnected a call")
			}
		})
	}
}

// A plan whose signature no longer covers its content is refused.
func TestSignedPlanEditedAfterSigning(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef-key"
	f := newFixture(t, 0)
	req := &PlanRequest{Request: f.request(), Out: "p.plan"}
	req.Environ = []string{planfile.KeyEnv + "=" + secret}
	if res := Plan(context.Background(), req, &recorder{}); res.Status != StatusOK {
		t.Fatalf("plan status %d", res.Status)
	}
	path := filepath.Join(f.dir, "p.plan")
	// Keep the signature but change what it signed.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `"0.0.0-test"`, `"0.0.0-evil"`, 1)
	if edited == string(b) {
		t.Fatal("the plan file does not record the version")
	}
	// The stored digest is recomputed, as anyone can: only the signature
	// tells.
	digest, err := planfile.ContentDigest([]byte(edited))
	if err != nil {
		t.Fatal(err)
	}
	edited = regexp.MustCompile(`"digest": "sha256:[0-9a-f]+"`).ReplaceAllString(edited, `"digest": "`+digest+`"`)
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	view := &recorder{}
	areq := &ApplyRequest{Request: Request{Dir: f.dir, Connect: f.request().Connect, Environ: req.Environ}, PlanFile: "p.plan"}
	if res := Apply(context.Background(), context.Background(), areq, view); res.Status != StatusError {
		t.Errorf("status %d, want error", res.Status)
	}
	findDiag(t, view, "Plan file signature does not match")
	if f.state(t, "c-1") != "Connected" {
		t.Error("an edited plan disconnected a call")
	}
}

// Plan -out refuses a key it cannot use, and writes nothing.
func TestPlanOutInvalidKey(t *testing.T) {
	f := newFixture(t, 0)
	req := &PlanRequest{Request: f.request(), Out: "p.plan"}
	req.Environ = []string{planfile.KeyEnv + "=short"}
	view := &recorder{}
	if res := Plan(context.Background(), req, view); res.Status != StatusError {
		t.Errorf("status %d, want error", res.Status)
	}
	d := findDiag(t, view, "Invalid plan key")
	if !strings.Contains(d, planfile.KeyEnv) || !strings.HasSuffix(d, "Nothing was saved or disconnected.") {
		t.Errorf("detail %q", d)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "p.plan")); !os.IsNotExist(err) {
		t.Errorf("a plan file was written: %v", err)
	}
}

// findDiag returns the detail of the diagnostic with the summary, failing
// the test when there is none.
func findDiag(t *testing.T, r *recorder, summary string) string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range r.diags {
		if d.Summary == summary {
			return d.Detail
		}
	}
	var got []string
	for _, d := range r.diags {
		got = append(got, d.Summary)
	}
	t.Fatalf("diagnostics %q lack %q", got, summary)
	return ""
}
