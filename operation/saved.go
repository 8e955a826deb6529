package operation

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/planfile"
	"github.com/callctl/callctl/reconcile"
)

// inputs is what a plan was made from, kept to fingerprint it on saving.
type inputs struct {
	policy            *config.Policy
	vars, varFiles    []string
	targets, excludes []string
}

// fingerprint fingerprints the plan's inputs with salt.
func (p *Planned) fingerprint(salt string) (*planfile.Inputs, hcl.Diagnostics) {
	in, err := planfile.InputsOf(p.inputs.policy, p.inputs.varFiles, p.req.path, p.inputs.vars, salt)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read variables file", Detail: capitalize(strings.TrimPrefix(err.Error(), "planfile: ")) + "."}}
	}
	return in, nil
}

// Save writes the plan file for plan -out.
func (p *Planned) Save(path string) hcl.Diagnostics {
	salt, err := planfile.NewSalt()
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Failed to save the plan", Detail: capitalize(strings.TrimPrefix(err.Error(), "planfile: ")) + "."}}
	}
	in, diags := p.fingerprint(salt)
	if diags.HasErrors() {
		return diags
	}
	in.Targets, in.Excludes = p.inputs.targets, p.inputs.excludes
	f := &planfile.File{CallctlVersion: p.req.Version, CreatedAt: p.Plan.CreatedAt, Inputs: *in, Plan: p.Plan, PolicyDir: policyDirFor(p.req.path(path), p.req.Dir)}
	if err := planfile.Write(p.req.path(path), f); err != nil {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Failed to save the plan",
			Detail:   fmt.Sprintf("The plan could not be written to %s: %s.", path, err),
		})
	}
	return diags
}

// ReadPlanFile reads a saved plan, as a diagnostic on failure. path is
// resolved against dir.
func ReadPlanFile(dir, path string) (*planfile.File, hcl.Diagnostics) {
	r := &Request{Dir: dir}
	f, err := planfile.Read(r.path(path))
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read the plan file",
			Detail:   fmt.Sprintf("Reading %s: %s. Make a plan file with \"callctl plan -out=FILE\".", path, err),
		}}
	}
	return f, nil
}

// LoadSavedPlan reads a plan file, reloads the policy it was made from with
// the variables it was made with, refuses a plan whose policy has changed
// since, rebinds each change to its declaration (and guards) and connects.
// Only req's Dir, Environ, Connect, Hooks and Version are used: the rest
// comes from the file. The Planned it returns is never nil.
func LoadSavedPlan(req *Request, path string, view PlanView) (*Planned, hcl.Diagnostics) {
	p := &Planned{req: req}
	f, diags := ReadPlanFile(req.Dir, path)
	if diags.HasErrors() {
		return p, diags
	}
	if diags := checkPolicyDir(req, path, f); diags.HasErrors() {
		return p, diags
	}
	loadReq := *req
	loadReq.savedPlan = true // its hints must not suggest -var, which a plan file refuses
	policy, moreDiags := loadPolicy(&loadReq, f.Inputs.Vars, f.Inputs.VarFiles, config.DataOptions{}, view)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return p, diags
	}
	p.inputs = inputs{policy: policy, vars: f.Inputs.Vars, varFiles: f.Inputs.VarFiles, targets: f.Inputs.Targets, excludes: f.Inputs.Excludes}
	now, moreDiags := p.fingerprint(f.Inputs.Salt)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return p, diags
	}
	if now.PolicyHash != f.Inputs.PolicyHash {
		changes := f.Inputs.Changes(now)
		if len(changes) == 0 {
			changes = []string{"the policy's fingerprint differs"}
		}
		return p, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Saved plan is stale",
			Detail: fmt.Sprintf("The policy has changed since this plan was made (%s), so the plan may no longer say what the policy means:\n  - %s\n\nNothing was disconnected. Make a new plan with \"callctl plan -out=FILE\", review it, and apply that.",
				f.CreatedAt.Format(time.RFC3339), strings.Join(changes, "\n  - ")),
		})
	}
	calls, problems := reconcile.Rebind(f.Plan, policy.Calls, f.Inputs.Targets, f.Inputs.Excludes)
	if len(problems) > 0 {
		return p, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Saved plan is stale",
			Detail: fmt.Sprintf("The saved plan does not match the policy as it is now:\n  - %s\n\nNothing was disconnected. Make a new plan with \"callctl plan -out=FILE\", review it, and apply that.",
				strings.Join(problems, "\n  - ")),
		})
	}
	p.Callers, moreDiags = reconcile.Connect(policy, calls, req.Connect)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return p, diags
	}
	p.Plan, p.PlanHash = f.Plan, f.Inputs.PolicyHash
	return p, diags
}

// capitalize starts an error message with a capital, for a diagnostic.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
