package config

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// fixtureEnviron is the environment every fixture loads with.
var fixtureEnviron = []string{"CALLCTL_PASSWORD=pw", "T=t0ken-s3cret", "P=pw", "UM_TOKEN=um"}

// TestLoadFixtures loads every policy under testdata/{valid,error,warning}-files
// (a file is a one-file policy, a directory a multi-file one) and compares
// the diagnostics with the "# ERROR: Summary" and "# WARNING: Summary"
// markers on the lines their Subjects start on.
func TestLoadFixtures(t *testing.T) {
	for _, kind := range []string{"valid-files", "error-files", "warning-files"} {
		root := filepath.Join("testdata", kind)
		entries, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			t.Run(kind+"/"+e.Name(), func(t *testing.T) {
				fsys, dir := fixtureFS(t, root, e)
				pol, diags := NewLoader().LoadFS(fsys, dir, LoadOptions{Environ: fixtureEnviron})
				if pol == nil {
					t.Fatal("LoadFS returned a nil policy")
				}

				got := map[string][]string{}
				for _, d := range diags {
					checkDiagStyle(t, d)
					if d.Subject == nil {
						t.Errorf("diagnostic without a Subject: %s: %s", d.Summary, d.Detail)
						continue
					}
					at := fmt.Sprintf("%s:%d", d.Subject.Filename, d.Subject.Start.Line)
					got[at] = append(got[at], severityName(d.Severity)+": "+d.Summary)
				}
				want := fixtureMarkers(t, fsys, dir)
				for _, m := range []map[string][]string{got, want} {
					for _, v := range m {
						slices.Sort(v)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("diagnostics differ from markers (-want +got):\n%s\nall diagnostics:\n%s", diff, renderDiags(diags))
				}
				switch kind {
				case "error-files":
					if !diags.HasErrors() {
						t.Error("an error fixture loaded without errors")
					}
				case "warning-files":
					if len(diags) == 0 || diags.HasErrors() {
						t.Errorf("a warning fixture must give warnings and no errors, got:\n%s", renderDiags(diags))
					}
				}
			})
		}
	}
}

// fixtureFS serves a fixture file alone, so that a one-file policy sees no
// siblings, or a fixture directory from its parent.
func fixtureFS(t *testing.T, root string, e fs.DirEntry) (fs.FS, string) {
	t.Helper()
	if e.IsDir() {
		return os.DirFS(root), e.Name()
	}
	data, err := os.ReadFile(filepath.Join(root, e.Name()))
	if err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{e.Name(): {Data: data}}, "."
}

var markerRE = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*([^#]*)`)

// fixtureMarkers maps "file:line" to the markers written on that line.
func fixtureMarkers(t *testing.T, fsys fs.FS, dir string) map[string][]string {
	t.Helper()
	want := map[string][]string{}
	matches, err := fs.Glob(fsys, path.Join(dir, "*.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range matches {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for line := 1; sc.Scan(); line++ {
			for _, m := range markerRE.FindAllStringSubmatch(sc.Text(), -1) {
				at := fmt.Sprintf("%s:%d", name, line)
				want[at] = append(want[at], m[1]+": "+strings.TrimSpace(m[2]))
			}
		}
	}
	return want
}

// checkDiagStyle holds every diagnostic to the house wording: a short
// sentence-case Summary without a period, and a Detail of full sentences.
func checkDiagStyle(t *testing.T, d *hcl.Diagnostic) {
	t.Helper()
	if d.Summary == "" || !unicode.IsUpper([]rune(d.Summary)[0]) || strings.HasSuffix(d.Summary, ".") {
		t.Errorf("summary %q is not a sentence-case phrase without a period", d.Summary)
	}
	if d.Detail == "" || !strings.ContainsAny(d.Detail[len(d.Detail)-1:], ".?") {
		t.Errorf("detail of %q is not full sentences: %q", d.Summary, d.Detail)
	}
}

func severityName(s hcl.DiagnosticSeverity) string {
	if s == hcl.DiagWarning {
		return "WARNING"
	}
	return "ERROR"
}

func renderDiags(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "  %s: %s: %s", severityName(d.Severity), d.Summary, d.Detail)
		if d.Subject != nil {
			fmt.Fprintf(&b, " (%s)", d.Subject)
		}
		b.WriteString("\n")
	}
	return b.String()
}
