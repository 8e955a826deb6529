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
	in := &planfile.Inputs{Salt: salt, Sources: map[string]string{}, Variables: map[string]string{}, Exchanges: map[string]string{}}
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
	// Where each exchange is, and how callctl talks to it: a changed URL
	// behind env() must not send a reviewed plan to another server.
	for name, ex := range policy.Exchanges {
		desc := fmt.Sprintf("dialect=%s\nurl=%s\nserver_version=%s\nca_file=%s\ninsecure_skip_verify=%t", ex.Dialect, ex.URL, ex.ServerVersion, ex.CAFile, ex.InsecureSkipVerify)
		if ex.Auth != nil {
			desc += fmt.Sprintf("\nauth=%s\nusername=%s", ex.Auth.Kind, ex.Auth.Username)
		}
		in.Exchanges[name] = planfile.KeyedHash(salt, []byte(desc))
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
	calls, problems := matchSavedChanges(policy, f)
	if len(problems) > 0 {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Saved plan is stale",
			Detail: fmt.Sprintf("The saved plan does not match the policy as it is now:\n  - %s\n\nNothing was disconnected. Make a new plan with \"callctl plan -out=FILE\", review it, and apply that.",
				strings.Join(problems, "\n  - ")),
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

// matchSavedChanges ties each change of a saved plan to the call the policy
// declares now. Every change must be a call the policy still declares, with
// the same id on the same exchange, once, and within the plan's -target
// and -exclude: the fingerprint cannot see what env() returns, and a plan
// file may have been edited. Guards come from the policy, never from the
// file. Anything else would end a call nobody reviewed.
func matchSavedChanges(policy *config.Policy, f *planfile.File) ([]*config.Call, []string) {
	selected, diags := reconcile.SelectCalls(policy.Calls, f.Inputs.Targets, f.Inputs.Excludes)
	if diags.HasErrors() {
		return nil, []string{"the plan's -target or -exclude no longer match the policy's calls"}
	}
	byKey := map[string]*config.Call{}
	for _, call := range selected {
		byKey[call.Address+"\x00"+call.Exchange] = call
	}
	var calls []*config.Call
	var problems []string
	seen := map[string]bool{}
	for _, ch := range f.Plan.Changes {
		key := ch.Address + "\x00" + ch.Exchange
		call := byKey[key]
		switch {
		case seen[key]:
			problems = append(problems, fmt.Sprintf("%s on exchange %q is listed more than once", ch.Address, ch.Exchange))
			continue
		case call == nil:
			problems = append(problems, fmt.Sprintf("%s (call id %q on exchange %q) is not a call the policy declares, or not one the plan's -target/-exclude selected", ch.Address, ch.CallID, ch.Exchange))
		case call.CallID != ch.CallID:
			problems = append(problems, fmt.Sprintf("%s now names call id %q, not %q", ch.Address, call.CallID, ch.CallID))
		default:
			ch.Call = call
			ch.OnlyInStates = call.OnlyInStates
			calls = append(calls, call)
		}
		seen[key] = true
	}
	return calls, problems
}
