package policytest

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
)

// TestsDir is the subdirectory of a policy directory that holds test
// files besides the policy directory itself.
const TestsDir = "tests"

// Discover lists the test files of the policy in dir: *.calltest.hcl in
// dir and in dir/tests, in name order, as paths relative to dir with
// forward slashes. filters, when given, keep only those files (as the
// names are printed, e.g. tests/x.calltest.hcl); a filter that matches
// no file is an error.
func Discover(dir string, filters []string) ([]string, hcl.Diagnostics) {
	var names []string
	var diags hcl.Diagnostics
	for _, sub := range []string{"", TestsDir} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			if sub != "" && os.IsNotExist(err) {
				continue
			}
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Cannot read the policy directory",
				Detail:   fmt.Sprintf("The directory %q cannot be read: %s.", filepath.Join(dir, sub), err),
			}}
		}
		for _, e := range entries {
			n := e.Name()
			if !e.Type().IsRegular() || !strings.HasSuffix(n, config.TestFileSuffix) || strings.HasPrefix(n, ".") {
				continue
			}
			names = append(names, path.Join(sub, n))
		}
	}
	if len(filters) == 0 {
		return names, diags
	}
	var kept []string
	for _, f := range filters {
		clean := path.Clean(filepath.ToSlash(f))
		if !slices.Contains(names, clean) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Test file not found",
				Detail: fmt.Sprintf("The -filter %q names no test file. Test files end in %s and live in the policy directory or its %s/ subdirectory; give the path as callctl test prints it.%s",
					f, config.TestFileSuffix, TestsDir, suggest(clean, names)),
			})
			continue
		}
		if !slices.Contains(kept, clean) {
			kept = append(kept, clean)
		}
	}
	slices.Sort(kept)
	return kept, diags
}
