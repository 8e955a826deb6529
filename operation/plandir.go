package operation

import (
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/internal/shellquote"
	"github.com/callctl/callctl/planfile"
)

// A saved plan is only meaningful for the policy directory it was made
// for: its var-files, its fingerprints and the journal are all relative
// to it. So the plan records that directory, and an apply run from
// anywhere else says where to run it, rather than failing on whatever the
// wrong directory happens to hold.

// policyDirFor is the PolicyDir to record for a plan saved to planPath
// from policy directory dir: relative to the plan file when it can be, so
// that the two may move together, else absolute.
func policyDirFor(planPath, dir string) string {
	planAbs, err1 := filepath.Abs(planPath)
	dirAbs, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return ""
	}
	if rel, err := filepath.Rel(filepath.Dir(planAbs), dirAbs); err == nil {
		return filepath.ToSlash(rel)
	}
	return dirAbs
}

// checkPolicyDir refuses to apply f, read from path (relative to req.Dir),
// from a directory other than the one it was made for, and says how to
// run it there. Plans that do not record their directory pass.
func checkPolicyDir(req *Request, path string, f *planfile.File) hcl.Diagnostics {
	if f.PolicyDir == "" {
		return nil
	}
	planAbs, err := filepath.Abs(req.path(path))
	if err != nil {
		return nil
	}
	want := filepath.FromSlash(f.PolicyDir)
	if !filepath.IsAbs(want) {
		want = filepath.Join(filepath.Dir(planAbs), want)
	}
	have := req.absDir()
	if sameDir(want, have) {
		return nil
	}
	chdir, planArg, here := want, planAbs, shellquote.Quote(have)
	if cwd, err := filepath.Abs("."); err == nil {
		if rel, err := filepath.Rel(cwd, want); err == nil {
			chdir = rel
		}
		if rel, err := filepath.Rel(cwd, have); err == nil {
			here = shellquote.Quote(rel)
			if rel == "." {
				here = "the current directory"
			}
		}
	}
	if rel, err := filepath.Rel(want, planAbs); err == nil {
		planArg = rel
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Plan made for another directory",
		Detail: fmt.Sprintf("This plan was made for directory %s, but callctl is running in %s; its var-files, fingerprints and journal belong to the policy there. Nothing was disconnected. Run:\n    callctl -chdir=%s apply %s",
			shellquote.Quote(chdir), here, shellquote.Quote(chdir), shellquote.Quote(planArg)),
	}}
}

// sameDir compares two absolute directories, through symbolic links when
// both resolve.
func sameDir(a, b string) bool {
	if ra, err := filepath.EvalSymlinks(a); err == nil {
		if rb, err := filepath.EvalSymlinks(b); err == nil {
			return ra == rb
		}
	}
	return filepath.Clean(a) == filepath.Clean(b)
}
