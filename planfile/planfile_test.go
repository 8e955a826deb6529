package planfile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callctl/callctl/reconcile"
)

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.plan")
	in := Inputs{Sources: map[string]string{"main.hcl": Hash([]byte("x"))}, Variables: map[string]string{"ids": Hash([]byte(`["a"]`))}, VarFiles: []string{"i.vars"}}
	in.Fingerprint()
	f := &File{
		CallctlVersion: "test",
		CreatedAt:      time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC),
		Inputs:         in,
		Plan: &reconcile.Plan{Changes: []*reconcile.Change{{
			Address: `end_call.x["a"]`, Exchange: "corp", CallID: "a<&\"", State: "Connected", Action: reconcile.ActionDisconnect,
			ObservedAt: time.Date(2026, 11, 26, 7, 0, 1, 0, time.UTC), OnlyInStates: []string{"Connected"},
		}}},
	}
	if err := Write(path, f); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(f, got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestReadRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not json":       "end_call {}",
		"other json":     `{"a": 1}`,
		"future version": `{"format_version": "9", "plan": {"changes": []}}`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(path); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
}

func TestChangesSaysWhatChanged(t *testing.T) {
	was := &Inputs{Sources: map[string]string{"main.hcl": "1", "old.hcl": "1"}, Variables: map[string]string{"ids": "1", "ticket": "1"}}
	now := &Inputs{Sources: map[string]string{"main.hcl": "2", "new.hcl": "1"}, Variables: map[string]string{"ids": "1", "ticket": "2"}}
	was.Fingerprint()
	now.Fingerprint()
	if was.PolicyHash == now.PolicyHash {
		t.Fatal("different inputs, same hash")
	}
	want := []string{`file "main.hcl" changed`, `file "old.hcl" was removed`, `file "new.hcl" was added`, `variable "ticket" changed`}
	if d := cmp.Diff(want, was.Changes(now)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	same := &Inputs{Sources: map[string]string{"main.hcl": "1", "old.hcl": "1"}, Variables: map[string]string{"ids": "1", "ticket": "1"}}
	same.Fingerprint()
	if same.PolicyHash != was.PolicyHash || len(was.Changes(same)) != 0 {
		t.Error("same inputs reported as changed")
	}
}

// testdata/plan-v1.json was written by callctl before the plan file had
// its own wire structs. It must keep loading, to the same plan, and
// encoding that plan must give the same bytes: the format has not moved.
func TestVersion1PlanFileKeepsLoading(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "plan-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(bytes.NewReader(golden))
	if err != nil {
		t.Fatal(err)
	}
	want := goldenFile()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("loaded plan (-want +got):\n%s", d)
	}
	enc, err := Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(golden), string(enc)); d != "" {
		t.Errorf("version 1 encoding changed (-golden +now):\n%s", d)
	}
}

// A plan file is never written through a symbolic link planted at its
// path.
func TestWriteReplacesSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "p.plan")
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, goldenFile()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("the link's target was overwritten")
	}
	if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() || info.Mode().Perm() != 0o600 {
		t.Errorf("plan file is %v (%v), want a regular file with mode 0600", info.Mode(), err)
	}
}
