package operation

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/planfile"
	"github.com/callctl/callctl/reconcile"
)

// inputs is what a plan was made from, kept to fingerprint it on saving.
type inputs struct {
	policy            *config.Policy
	vars, varFiles    []string
	targets, excludes []string
	maxDisconnects    int
}

// SavedPlan describes a plan file as it was written (plan -out) or read
// (apply), for the view: its digest is what a reviewer compares.
type SavedPlan struct {
	Path string
	// Digest is the file's digest (planfile.File.Digest).
	Digest string
	// KeyID is the id of the key it was signed with; empty when unsigned.
	KeyID string
	// Loaded is true when apply read the file (and checked its signature
	// if it has one), false when plan wrote it.
	Loaded bool
}

// planKey returns the plan key the environment configures, or nil.
func planKey(environ []string) (*planfile.Key, hcl.Diagnostics) {
	key, err := planfile.KeyFromEnviron(environ)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid plan key",
			Detail:   capitalize(strings.TrimPrefix(err.Error(), "planfile: ")) + ". Nothing was saved or disconnected.",
		}}
	}
	return key, nil
}

// policyEnviron is the environment a policy sees (env(), CALLCTL_VAR_,
// inventory commands): the process's, less the plan key, which a policy
// could otherwise copy into a reason or hand to a command.
func policyEnviron(environ []string) []string {
	return slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == planfile.KeyEnv || k == planfile.KeyFileEnv
	})
}

// keySecrets is the plan key, if one is configured, for the policy to mask
// in what it shows from outside: withheld from commands, it could still be
// found and printed by one.
func keySecrets(environ []string) []string {
	key, err := planfile.KeyFromEnviron(environ)
	if err != nil || key == nil {
		return nil
	}
	return []string{key.MaskForm()}
}

// localVarFile returns the var-file path p (relative to the request's
// directory, or absolute) as a slash-separated path relative to the policy
// directory, or false when it is not inside it, symbolic links followed.
// A saved plan names its var-files so, and apply reads no other.
func (r *Request) localVarFile(p string) (string, bool) {
	dir, err := filepath.Abs(r.Dir)
	if err != nil {
		return "", false
	}
	abs, err := filepath.Abs(r.path(p))
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	realDir, err1 := filepath.EvalSymlinks(dir)
	real, err2 := filepath.EvalSymlinks(abs)
	if err1 == nil && err2 == nil {
		if r, err := filepath.Rel(realDir, real); err != nil || !filepath.IsLocal(r) {
			return "", false
		}
	}
	return filepath.ToSlash(rel), true
}

func varFileOutside(p, dir, why string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Var-file outside the policy directory",
		Detail:   fmt.Sprintf("The var-file %q is not inside the policy directory %q (symbolic links followed). %s", p, dir, why),
	}
}

// Save writes the plan file for plan -out, signed when a plan key is
// configured.
func (p *Planned) Save(path string) (*SavedPlan, hcl.Diagnostics) {
	fail := func(err error) (*SavedPlan, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to save the plan",
			Detail:   fmt.Sprintf("The plan could not be written to %s: %s.", path, strings.TrimPrefix(err.Error(), "planfile: ")),
		}}
	}
	key, diags := planKey(p.req.Environ)
	if diags.HasErrors() {
		return nil, diags
	}
	salt, err := planfile.NewSalt()
	if err != nil {
		return fail(err)
	}
	// The plan stores the values it was made with, as Terraform's do:
	// apply uses them and reads no var-file, which may have been a
	// pipeline's temporary file outside the policy directory.
	in, err := planfile.InputsOf(p.inputs.policy, nil, p.req.path, nil, planfile.VariableKey(salt, key))
	if err != nil {
		return fail(err)
	}
	if in.Values, err = planfile.ValuesOf(p.inputs.policy); err != nil {
		return fail(err)
	}
	in.Salt = salt
	in.Targets, in.Excludes, in.MaxDisconnects = p.inputs.targets, p.inputs.excludes, p.inputs.maxDisconnects
	in.Fingerprint()
	f := &planfile.File{CallctlVersion: p.req.Version, CreatedAt: p.Plan.CreatedAt, PlanTimestamp: p.inputs.policy.PlanTimestamp, Inputs: *in, Plan: p.Plan, PolicyDir: policyDirFor(p.req.path(path), p.req.Dir)}
	// The records each data source gave: apply replays them, so that it
	// carries out this plan after the inventory has moved on.
	for _, ds := range p.inputs.policy.DataSources {
		if ds.Read {
			f.DataSources = append(f.DataSources, planfile.DataSnapshot{Address: ds.Address, Records: ds.Records, Snapshot: ds.Snapshot})
		}
	}
	if err := planfile.Write(p.req.path(path), f, key); err != nil {
		return fail(err)
	}
	sp := &SavedPlan{Path: path, Digest: f.Digest()}
	if key != nil {
		sp.KeyID = key.ID()
	}
	return sp, nil
}

// ReadPlanFile reads a saved plan, as a diagnostic on failure. path is
// resolved against dir. It does not check the signature.
func ReadPlanFile(dir, path string) (*planfile.File, hcl.Diagnostics) {
	r := &Request{Dir: dir}
	f, err := planfile.Read(r.path(path))
	if errors.Is(err, fs.ErrNotExist) {
		// The usual case, said plainly rather than as "open PATH: ...".
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read the plan file",
			Detail:   fmt.Sprintf("There is no plan file at %s. Nothing was disconnected. Make a plan file with \"callctl plan -out=FILE\".", path),
		}}
	}
	if errors.Is(err, planfile.ErrDigestMismatch) {
		// Said apart from a damaged file: the content a reviewer saw is
		// not what the file now holds.
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Plan file edited",
			Detail: fmt.Sprintf("%s: %s. Nothing was disconnected. Do not apply it: make and review a new plan with \"callctl plan -out=FILE\".",
				path, capitalize(strings.TrimPrefix(err.Error(), "planfile: "))),
		}}
	}
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read the plan file",
			Detail:   fmt.Sprintf("Reading %s: %s. Nothing was disconnected. Make a plan file with \"callctl plan -out=FILE\".", path, strings.TrimPrefix(err.Error(), "planfile: ")),
		}}
	}
	return f, nil
}

// checkSignature checks a saved plan against the configured key: with a
// key, the file must be signed with it; without one, a signed file
// cannot be checked (nor its fingerprints recomputed) and is refused.
func checkSignature(f *planfile.File, path string, key *planfile.Key) hcl.Diagnostics {
	refuse := func(summary, detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail + " Nothing was disconnected."}}
	}
	if key == nil {
		if f.Signature != nil {
			return refuse("Signed plan, no plan key",
				fmt.Sprintf("The plan file %s is signed (key id %s), but no plan key is configured, so its signature cannot be checked. Set %s or %s to the key it was signed with.", path, f.Signature.KeyID, planfile.KeyEnv, planfile.KeyFileEnv))
		}
		return nil
	}
	switch err := f.Verify(key); {
	case err == nil:
		return nil
	case errors.Is(err, planfile.ErrUnsigned):
		return refuse("Unsigned plan",
			fmt.Sprintf("The plan file %s is not signed, and a plan key is configured (%s or %s), so only plans signed with it are applied. Make the plan again with the same key set.", path, planfile.KeyEnv, planfile.KeyFileEnv))
	case errors.Is(err, planfile.ErrWrongKey):
		return refuse("Plan signed with another key",
			fmt.Sprintf("The plan file %s was signed with the key whose id is %s; the configured key's id is %s. Apply it with the key it was made with, or make the plan again.", path, f.Signature.KeyID, key.ID()))
	default:
		return refuse("Plan file signature does not match",
			fmt.Sprintf("The plan file %s was changed after it was signed: its signature does not match its content (digest %s). Do not apply it; make the plan again and review that.", path, f.Digest()))
	}
}

// LoadSavedPlan reads a plan file, checks its signature, reloads the policy
// it was made from with the variables it was made with and the records its
// data sources gave, refuses a plan whose policy has changed since, rebinds
// each change to its declaration (and guards) and connects. Only req's
// Dir, Environ, Connect, Hooks and Version are used: the rest comes from
// the file. The Planned it returns is never nil.
func LoadSavedPlan(req *Request, path string, view PlanView) (*Planned, hcl.Diagnostics) {
	p := &Planned{req: req}
	key, diags := planKey(req.Environ)
	if diags.HasErrors() {
		return p, diags
	}
	f, moreDiags := ReadPlanFile(req.Dir, path)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return p, diags
	}
	if diags := checkPolicyDir(req, path, f); diags.HasErrors() {
		return p, diags
	}
	diags = append(diags, checkSignature(f, path, key)...)
	if diags.HasErrors() {
		return p, diags
	}
	sp := &SavedPlan{Path: path, Digest: f.Digest(), Loaded: true}
	if f.Signature != nil {
		sp.KeyID = f.Signature.KeyID
	}
	view.SavedPlan(sp)
	values, err := planfile.DecodeValues(f.Inputs.Values)
	if err != nil {
		return p, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid plan file", Detail: fmt.Sprintf("The plan file %s cannot be applied: %s. Nothing was disconnected; make the plan again.", path, strings.TrimPrefix(err.Error(), "planfile: "))})
	}
	for _, vf := range f.Inputs.VarFiles {
		if _, ok := req.localVarFile(filepath.FromSlash(vf)); !ok {
			diags = append(diags, varFileOutside(vf, req.Dir, "A saved plan's var-files are read from the policy directory only. Nothing was disconnected; make the plan again with the var-file inside the policy directory."))
		}
	}
	if diags.HasErrors() {
		return p, diags
	}
	snaps := map[string][]byte{}
	for _, d := range f.DataSources {
		snaps[d.Address] = d.Snapshot
	}
	// DataSkip with snapshots: each data source gives the plan's records,
	// and one the plan has none of is not read (no command runs), then
	// reported below.
	loadReq := *req
	loadReq.savedPlan = true // its hints must not suggest -var, which a plan file refuses
	if f.Inputs.Values != nil {
		loadReq.values = values
	}
	policy, moreDiags := loadPolicy(&loadReq, f.Inputs.Vars, f.Inputs.VarFiles,
		config.DataOptions{Mode: config.DataSkip, Snapshots: snaps}, f.PlanTimestamp, view)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return p, diags
	}
	for _, ds := range policy.DataSources {
		view.DataSourceRead(ds)
	}
	p.inputs = inputs{policy: policy, vars: f.Inputs.Vars, varFiles: f.Inputs.VarFiles, targets: f.Inputs.Targets, excludes: f.Inputs.Excludes, maxDisconnects: f.Inputs.MaxDisconnects}
	now, err := planfile.InputsOf(policy, f.Inputs.VarFiles, func(s string) string { return req.path(filepath.FromSlash(s)) }, f.Inputs.Vars, planfile.VariableKey(f.Inputs.Salt, key))
	if err != nil {
		return p, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read variables file", Detail: capitalize(strings.TrimPrefix(err.Error(), "planfile: ")) + "."})
	}
	now.Salt, now.Targets, now.Excludes, now.MaxDisconnects = f.Inputs.Salt, f.Inputs.Targets, f.Inputs.Excludes, f.Inputs.MaxDisconnects
	if f.Inputs.Values != nil {
		if now.Values, err = planfile.ValuesOf(policy); err != nil {
			return p, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid plan file", Detail: capitalize(strings.TrimPrefix(err.Error(), "planfile: ")) + "."})
		}
	}
	problems, edited := f.Stale(now)
	if edited {
		return p, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Saved plan does not match its fingerprint",
			Detail: fmt.Sprintf("The -var, -var-file, -target, -exclude or -max-disconnects values recorded in %s are not the ones its fingerprint covers: the file was edited after it was made. Nothing was disconnected. Do not apply it; make the plan again and review that. Signed plans (%s) make such edits detectable even when the fingerprint is recomputed.",
				path, planfile.KeyEnv),
		})
	}
	problems = append(problems, dataSourceProblems(f, policy)...)
	if len(problems) > 0 {
		return p, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Saved plan is stale",
			Detail: fmt.Sprintf("The policy has changed since this plan was made (%s), so the plan may no longer say what the policy means:\n  - %s\n\nNothing was disconnected. Make a new plan with \"callctl plan -out=FILE\", review it, and apply that.",
				f.CreatedAt.Format(time.RFC3339), strings.Join(problems, "\n  - ")),
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
	if n, most := f.Plan.Summary().ToDisconnect, f.Inputs.MaxDisconnects; most >= 0 && n > most {
		return p, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Saved plan exceeds its -max-disconnects",
			Detail:   fmt.Sprintf("The saved plan would disconnect %d calls, more than the %d its -max-disconnects allowed when it was made, so it was changed since. Nothing was disconnected. Make a new plan and review it.", n, most),
		})
	}
	p.Clients, moreDiags = exchange.Connect(policy, calls, req.Connect)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return p, diags
	}
	p.Plan, p.PlanHash = f.Plan, f.Digest()
	// The plan's records, evaluated again: the same ones fail, and
	// count as failed in this apply too.
	p.Plan.FailedToLoad = len(policy.Failed)
	return p, diags
}

// dataSourceProblems says where the data sources the policy declares now
// and the records the plan holds disagree.
func dataSourceProblems(f *planfile.File, policy *config.Policy) []string {
	var out []string
	held := map[string]planfile.DataSnapshot{}
	for _, d := range f.DataSources {
		held[d.Address] = d
	}
	for _, ds := range policy.DataSources {
		d, ok := held[ds.Address]
		switch {
		case !ok || !ds.FromSnapshot:
			out = append(out, fmt.Sprintf("%s: the plan holds no records of it", ds.Address))
		case ds.Records != d.Records:
			out = append(out, fmt.Sprintf("%s: the plan holds %d records but says %d", ds.Address, ds.Records, d.Records))
		}
		delete(held, ds.Address)
	}
	for _, addr := range slices.Sorted(maps.Keys(held)) {
		out = append(out, fmt.Sprintf("%s: the plan holds its records, but the policy no longer declares it", addr))
	}
	return out
}

// capitalize starts an error message with a capital, for a diagnostic.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
