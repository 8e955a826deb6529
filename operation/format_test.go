package operation

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

type formatRecorder struct {
	recorder
	listed, diffed []string
}

func (r *formatRecorder) Listed(name string)            { r.listed = append(r.listed, name) }
func (r *formatRecorder) Diff(name string, _, _ []byte) { r.diffed = append(r.diffed, name) }

var _ FormatView = (*formatRecorder)(nil)

func TestFormat(t *testing.T) {
	const messy = "a  =  1\n"
	tests := map[string]struct {
		req             FormatRequest
		wantUnformatted int
		wantOK          bool
		wantListed      []string
		wantContent     string // of messy.hcl afterwards
		wantDiag        string
	}{
		"list and write": {
			req:             FormatRequest{Paths: []string{"."}, List: true, Write: true},
			wantUnformatted: 1, wantOK: true, wantListed: []string{"messy.hcl"}, wantContent: "a = 1\n",
		},
		"check writes nothing": {
			req:             FormatRequest{Paths: []string{"."}, Diff: true},
			wantUnformatted: 1, wantOK: true, wantContent: messy,
		},
		"subdirectories only when recursive": {
			req:             FormatRequest{Paths: []string{"."}, Recursive: true, List: true},
			wantUnformatted: 2, wantOK: true, wantListed: []string{"messy.hcl", filepath.Join("sub", "deep.hcl")}, wantContent: messy,
		},
		"a missing path": {
			req:      FormatRequest{Paths: []string{"nope.hcl"}},
			wantDiag: "No such file or directory", wantContent: messy,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.WriteFile(filepath.Join(dir, "messy.hcl"), []byte(messy), 0o640))
			must(t, os.WriteFile(filepath.Join(dir, "tidy.hcl"), []byte("a = 1\n"), 0o644))
			must(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
			must(t, os.WriteFile(filepath.Join(dir, "sub", "deep.hcl"), []byte(messy), 0o644))
			req := tc.req
			req.Dir = dir
			view := &formatRecorder{}
			n, ok := Format(&req, view)
			if n != tc.wantUnformatted || ok != (tc.wantDiag == "") {
				t.Errorf("Format = %d, %v; want %d, %v; diags %q", n, ok, tc.wantUnformatted, tc.wantDiag == "", view.summaries())
			}
			if tc.wantDiag != "" && !view.has(tc.wantDiag) {
				t.Errorf("diagnostics %q lack %q", view.summaries(), tc.wantDiag)
			}
			if d := cmp.Diff(tc.wantListed, view.listed); d != "" {
				t.Errorf("listed (-want +got):\n%s", d)
			}
			b, _ := os.ReadFile(filepath.Join(dir, "messy.hcl"))
			if string(b) != tc.wantContent {
				t.Errorf("messy.hcl now %q, want %q", b, tc.wantContent)
			}
			if info, _ := os.Stat(filepath.Join(dir, "messy.hcl")); info.Mode().Perm() != 0o640 {
				t.Errorf("mode %v, want the file's own 0640 kept", info.Mode().Perm())
			}
		})
	}
}

// A file that does not parse is reported and left as it is.
func TestFormatLeavesBrokenFileAlone(t *testing.T) {
	dir := t.TempDir()
	const broken = "a = {\n"
	must(t, os.WriteFile(filepath.Join(dir, "broken.hcl"), []byte(broken), 0o644))
	view := &formatRecorder{}
	if _, ok := Format(&FormatRequest{Dir: dir, Paths: []string{"broken.hcl"}, Write: true}, view); ok {
		t.Error("a broken file formatted without error")
	}
	var errs hcl.Diagnostics
	for _, d := range view.diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	if len(errs) == 0 {
		t.Error("no error for the broken file")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "broken.hcl")); string(b) != broken {
		t.Errorf("broken file rewritten to %q", b)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
