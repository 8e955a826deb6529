package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestHash(t *testing.T) {
	const policy = `
variable "ids" {
  type    = list(string)
  default = ["a"]
}
variable "secret" {
  type      = string
  default   = "s3cr3t-value"
  sensitive = true
}
exchange "x" {
  url = "https://x.example/EWS/Exchange.asmx"
  auth "bearer" {
    token = env("TOKEN")
  }
}
`
	base := fstest.MapFS{"p/main.hcl": {Data: []byte(policy)}, "q/main.hcl": {Data: []byte(policy)}}
	edited := fstest.MapFS{"p/main.hcl": {Data: []byte(policy + "\n# a comment\n")}}
	renamed := fstest.MapFS{"p/other.hcl": {Data: []byte(policy)}}
	cut := strings.Index(policy, `variable "secret"`)
	split := fstest.MapFS{"p/a.hcl": {Data: []byte(policy[:cut])}, "p/b.hcl": {Data: []byte(policy[cut:])}}

	hash := func(t *testing.T, fsys fstest.MapFS, dir string, opts LoadOptions) string {
		t.Helper()
		pol, diags := NewLoader().LoadFS(fsys, dir, opts)
		if diags.HasErrors() {
			t.Fatalf("unexpected diagnostics:\n%s", renderDiags(diags))
		}
		h := pol.Hash()
		if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
			t.Fatalf("Hash() = %q, want 64 hex digits", h)
		}
		if strings.Contains(h, "s3cr3t") {
			t.Fatal("hash contains the secret")
		}
		return h
	}
	ref := hash(t, base, "p", LoadOptions{})

	tests := map[string]struct {
		fsys fstest.MapFS
		dir  string
		opts LoadOptions
		same bool
	}{
		"same input":                      {base, "p", LoadOptions{}, true},
		"another directory, same files":   {base, "q", LoadOptions{}, true},
		"credential from env":             {base, "p", LoadOptions{Environ: []string{"TOKEN=rotated"}}, true},
		"same value from another source":  {base, "p", LoadOptions{Vars: []string{`ids=["a"]`}}, true},
		"changed variable":                {base, "p", LoadOptions{Vars: []string{`ids=["b"]`}}, false},
		"changed sensitive variable":      {base, "p", LoadOptions{Vars: []string{"secret=other"}}, false},
		"edited file":                     {edited, "p", LoadOptions{}, false},
		"renamed file":                    {renamed, "p", LoadOptions{}, false},
		"same bytes split over two files": {split, "p", LoadOptions{}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := hash(t, tc.fsys, tc.dir, tc.opts); (got == ref) != tc.same {
				t.Errorf("hash equal to reference = %v, want %v", got == ref, tc.same)
			}
		})
	}
}
