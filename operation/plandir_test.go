package operation

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/internal/shellquote"
	"github.com/callctl/callctl/planfile"
)

// A saved plan stores the values it was made with, as Terraform's do: a
// var-file outside the policy directory (or a link to one) may be used,
// and apply reads no var-file, so it applies after the file is gone.
func TestVarFileOutsidePolicyDir(t *testing.T) {
	f := newFixture(t, 0)
	f.writePolicy(t, `["c-1", "c-2"]`)
	outside := filepath.Join(t.TempDir(), "x.vars")
	link := filepath.Join(f.dir, "link.vars")
	for _, vf := range []string{outside, "../" + filepath.Base(filepath.Dir(outside)) + "/x.vars", "link.vars"} {
		t.Run("plan -out with "+vf, func(t *testing.T) {
			if err := os.WriteFile(outside, []byte("url = \""+f.srv.EWSURL()+"\"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			_ = os.Remove(link)
			if err := os.Symlink(outside, link); err != nil {
				t.Fatal(err)
			}
			req := &PlanRequest{Request: f.request(), Out: "p.plan"}
			req.Vars, req.VarFiles = nil, []string{vf}
			if res := Plan(context.Background(), req, &recorder{}); res.Status != StatusOK {
				t.Fatalf("plan status %d", res.Status)
			}
			saved, err := planfile.Read(filepath.Join(f.dir, "p.plan"))
			if err != nil {
				t.Fatal(err)
			}
			if len(saved.Inputs.VarFiles) != 0 || !strings.Contains(saved.Inputs.Values["url"], f.srv.EWSURL()) {
				t.Fatalf("saved var-files %q, values %q: want the url's value and no var-file", saved.Inputs.VarFiles, saved.Inputs.Values)
			}
			if err := os.Remove(outside); err != nil {
				t.Fatal(err)
			}
			view := &recorder{}
			areq := &ApplyRequest{Request: Request{Dir: f.dir, Connect: f.request().Connect}, PlanFile: "p.plan"}
			if res := Apply(context.Background(), context.Background(), areq, view); res.Status != StatusOK {
				t.Fatalf("apply status %d: %v", res.Status, view.diags)
			}
			if f.state(t, "c-1") != "Disconnected" {
				t.Error("the plan's call was not disconnected")
			}
			if err := f.srv.UpsertCalls([]exchsim.Call{{ID: "c-1", State: "Connected"}}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A plan made for one policy directory, applied from another, is refused
// with the command that applies it where it belongs.
func TestPlanMadeForAnotherDirectory(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		polName   string
		wantChdir func(rel string) string
	}{
		"plain name":     {polName: "pol", wantChdir: func(rel string) string { return rel }},
		"name to quote":  {polName: "my pol's", wantChdir: shellquote.Quote},
		"unicode quoted": {polName: "pól", wantChdir: func(rel string) string { return `'` + rel + `'` }},
		"shell syntax":   {polName: "$(x)`y`", wantChdir: func(rel string) string { return `'` + rel + `'` }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, 0)
			root := t.TempDir()
			pol := filepath.Join(root, tc.polName)
			if err := os.Mkdir(pol, 0o755); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(f.dir, "main.hcl"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(pol, "main.hcl"), b, 0o644); err != nil {
				t.Fatal(err)
			}
			req := &PlanRequest{Request: f.request(), Out: "p.plan"}
			req.Dir = pol
			if res := Plan(context.Background(), req, &recorder{}); res.Status != StatusOK {
				t.Fatalf("plan status %d", res.Status)
			}
			saved, err := planfile.Read(filepath.Join(pol, "p.plan"))
			if err != nil {
				t.Fatal(err)
			}
			if saved.PolicyDir != "." {
				t.Errorf("PolicyDir %q, want . (relative to the plan file)", saved.PolicyDir)
			}

			// Applied from f.dir, naming the plan by its absolute path.
			view := &recorder{}
			areq := &ApplyRequest{Request: Request{Dir: f.dir, Connect: f.request().Connect}, PlanFile: filepath.Join(pol, "p.plan")}
			if res := Apply(context.Background(), context.Background(), areq, view); res.Status != StatusError {
				t.Errorf("status %d, want error", res.Status)
			}
			d := findDiag(t, view, "Plan made for another directory")
			rel, err := filepath.Rel(cwd, pol)
			if err != nil {
				t.Fatal(err)
			}
			if want := "callctl -chdir=" + tc.wantChdir(rel) + " apply p.plan"; !strings.Contains(d, want) {
				t.Errorf("detail %q lacks %q", d, want)
			}
			if !strings.Contains(d, "Nothing was disconnected") {
				t.Errorf("detail %q", d)
			}
			if f.state(t, "c-1") != "Connected" {
				t.Error("a refused plan disconnected a call")
			}

			// From the directory it was made for, through a symbolic link, it applies.
			alias := filepath.Join(t.TempDir(), "alias")
			if err := os.Symlink(pol, alias); err != nil {
				t.Fatal(err)
			}
			view = &recorder{}
			areq = &ApplyRequest{Request: Request{Dir: alias, Connect: f.request().Connect}, PlanFile: filepath.Join(pol, "p.plan")}
			if res := Apply(context.Background(), context.Background(), areq, view); res.Status != StatusOK {
				t.Errorf("apply through a link: status %d, %q", res.Status, view.summaries())
			}
		})
	}
}
