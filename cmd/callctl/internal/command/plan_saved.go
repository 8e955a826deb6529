package command

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/version"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/planfile"
	"github.com/callctl/callctl/reconcile"
)

// inputs fingerprints a loaded policy and the flags it was loaded with.
func (m *Meta) inputs(policy *config.Policy, vars arguments.Vars, salt string) (*planfile.Inputs, hcl.Diagnostics) {
	in := &planfile.Inputs{Salt: salt, Sources: map[string]string{}, Variables: map[string]string{}}
	for name, src := range policy.Sources {
		in.Sources[name] = planfile.Hash(src)
	}
	var diags hcl.Diagnostics
	for _, f := range vars.VarFiles {
		b, err := os.ReadFile(m.path(f))
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read variables file", Detail: fmt.Sprintf("Reading %s: %s.", f, err)})
			continue
		}
		in.Sources[f] = planfile.Hash(b)
		in.VarFiles = append(in.VarFiles, f)
	}
	for name, v := range policy.Variables {
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			b = []byte(v.GoString())
		}
		// Keyed with the plan's salt: a plain hash of a short secret
		// (a PIN, a password) could be reversed by guessing.
		in.Variables[name] = planfile.KeyedHash(salt, b)
	}
	for _, a := range vars.Vars {
		name, _, _ := strings.Cut(a, "=")
		if !policy.Sensitive[name] {
			in.Vars = append(in.Vars, a)
		}
	}
	in.Fingerprint()
	return in, diags
}

// savePlan writes the plan file for plan -out.
func (c *PlanCommand) savePlan(path string, p *planned, args *arguments.Plan) hcl.Diagnostics {
	salt, err := planfile.NewSalt()
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Failed to save the plan", Detail: capitalize(err.Error()) + "."}}
	}
	in, diags := c.inputs(p.policy, args.Vars, salt)
	if diags.HasErrors() {
		return diags
	}
	in.Targets, in.Excludes = args.Targets, args.Excludes
	f := &planfile.File{CallctlVersion: version.Version, CreatedAt: p.plan.CreatedAt, Inputs: *in, Plan: p.plan}
	if err := planfile.Write(c.path(path), f); err != nil {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Failed to save the plan",
			Detail:   fmt.Sprintf("The plan could not be written to %s: %s.", path, err),
		})
	}
	return diags
}

// readPlanFile reads a saved plan, as a diagnostic on failure.
func (m *Meta) readPlanFile(path string) (*planfile.File, hcl.Diagnostics) {
	f, err := planfile.Read(m.path(path))
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read the plan file",
			Detail:   fmt.Sprintf("Reading %s: %s. Make a plan file with \"callctl plan -out=FILE\".", path, err),
		}}
	}
	return f, nil
}

// loadSavedPlan reads a plan file, reloads the policy it was made from and
// refuses a plan whose policy has changed since.
func (c *ApplyCommand) loadSavedPlan(args *arguments.Apply, view views.Operation) (*planned, hcl.Diagnostics) {
	f, diags := c.readPlanFile(args.PlanFile)
	if diags.HasErrors() {
		return nil, diags
	}
	vars := arguments.Vars{Vars: f.Inputs.Vars, VarFiles: f.Inputs.VarFiles}
	policy, moreDiags := c.loadPolicy(vars, view)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	now, moreDiags := c.inputs(policy, vars, f.Inputs.Salt)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	if now.PolicyHash != f.Inputs.PolicyHash {
		changes := f.Inputs.Changes(now)
		if len(changes) == 0 {
			changes = []string{"the policy's fingerprint differs"}
		}
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Saved plan is stale",
			Detail: fmt.Sprintf("The policy has changed since this plan was made (%s), so the plan may no longer say what the policy means:\n  - %s\n\nNothing was disconnected. Make a new plan with \"callctl plan -out=FILE\", review it, and apply that.",
				f.CreatedAt.Format(time.RFC3339), strings.Join(changes, "\n  - ")),
		})
	}
	// Every change must still be a call the policy declares, with the same
	// id on the same exchange: the fingerprint cannot see what env()
	// returns, and a plan file may have been edited. Anything else would
	// end a call nobody reviewed, or one the policy now protects.
	byAddr := map[string]*config.Call{}
	for _, call := range policy.Calls {
		byAddr[call.Address+"\x00"+call.Exchange] = call
	}
	var calls []*config.Call
	var strays []string
	for _, ch := range f.Plan.Changes {
		call := byAddr[ch.Address+"\x00"+ch.Exchange]
		if call == nil || call.CallID != ch.CallID {
			strays = append(strays, fmt.Sprintf("%s (call id %q on exchange %q)", ch.Address, ch.CallID, ch.Exchange))
			continue
		}
		ch.Call = call
		calls = append(calls, call)
	}
	if len(strays) > 0 {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Saved plan is stale",
			Detail: fmt.Sprintf("The saved plan names calls the policy no longer declares as such:\n  - %s\n\nNothing was disconnected. Make a new plan with \"callctl plan -out=FILE\", review it, and apply that.",
				strings.Join(strays, "\n  - ")),
		})
	}
	callers, moreDiags := reconcile.Connect(policy, calls, args.Operation.ConnectOptions())
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		reconcile.CloseAll(callers)
		return nil, diags
	}
	return &planned{policy: policy, plan: f.Plan, callers: callers, planHash: f.Inputs.PolicyHash}, diags
}
