package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzLoad feeds arbitrary one-file policies to the loader and Format:
// neither may panic, and a policy without errors must be well formed.
func FuzzLoad(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*-files", "*.hcl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range seeds {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fsys := fstest.MapFS{"main.hcl": {Data: src}, "vars.hcl": {Data: src}}
		pol, diags := NewLoader().LoadFS(fsys, ".", LoadOptions{
			VarFiles: []string{"vars.hcl"},
			Environ:  []string{"CALLCTL_VAR_x=1"},
		})
		if pol == nil {
			t.Fatal("nil policy")
		}
		if !diags.HasErrors() {
			if !slices.IsSortedFunc(pol.Calls, func(a, b *Call) int { return strings.Compare(a.Address, b.Address) }) {
				t.Error("calls not sorted by address")
			}
			for _, c := range pol.Calls {
				if _, ok := pol.Exchanges[c.Exchange]; !ok || strings.TrimSpace(c.CallID) == "" {
					t.Errorf("invalid call in a clean policy: %+v", c)
				}
			}
		}
		_, _ = Format(src, "main.hcl")
	})
}
