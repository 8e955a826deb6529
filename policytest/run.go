package policytest

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/soap"
)

// Runner runs test files against the policy in Dir.
type Runner struct {
	Dir string
	// Environ is what env() and CALLCTL_VAR_ read, as for plan.
	Environ []string

	parser *hclparse.Parser
	files  map[string]*hcl.File
}

// Files returns every file parsed so far, test and policy files, for
// rendering diagnostics with their source.
func (r *Runner) Files() map[string]*hcl.File {
	out := map[string]*hcl.File{}
	maps.Copy(out, r.files)
	if r.parser != nil {
		maps.Copy(out, r.parser.Files())
	}
	return out
}

// RunFile reads the test file name (relative to Dir, as Discover gives
// it) and carries out its runs in order.
func (r *Runner) RunFile(ctx context.Context, name string) *FileResult {
	if r.parser == nil {
		r.parser = hclparse.NewParser()
		r.files = map[string]*hcl.File{}
	}
	res := &FileResult{Name: name, Status: Pass}
	filename := filepath.Join(r.Dir, filepath.FromSlash(name))
	src, err := os.ReadFile(filename)
	if err != nil {
		res.Status = Error
		res.Diags = hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read test file",
			Detail:   fmt.Sprintf("The test file %q cannot be read: %s.", filename, err),
		}}
		return res
	}
	f, diags := ParseFile(r.parser, src, filename, name)
	res.Diags = diags
	if diags.HasErrors() {
		res.Status = Error
		for _, run := range f.Runs {
			res.Runs = append(res.Runs, &RunResult{Name: run.Name, Command: run.Command, Status: Skip})
		}
		return res
	}
	callers := map[string]soap.Caller{}
	for name, m := range f.Exchanges {
		callers[name] = newMockCaller(m)
	}
	for _, run := range f.Runs {
		rr := r.run(ctx, f, run, callers)
		res.Runs = append(res.Runs, rr)
		res.Status = worse(res.Status, rr.Status)
	}
	return res
}

// parallelism of the mocks: enough to exercise the planner's fan-out.
const parallelism = 4

func (r *Runner) run(ctx context.Context, f *File, run *Run, callers map[string]soap.Caller) *RunResult {
	rr := &RunResult{Name: run.Name, Command: run.Command, Status: Pass}
	vars := maps.Clone(f.Variables)
	maps.Copy(vars, run.Variables)
	snapshots := map[string][]byte{}
	for addr, m := range f.Data {
		snapshots[addr] = m.Records
	}
	loader := config.NewLoader()
	pol, diags := loader.Load(r.Dir, config.LoadOptions{
		Environ:       r.Environ,
		Values:        vars,
		ValuesFrom:    fmt.Sprintf("the test file %q", f.Name),
		Offline:       true,
		KeepScope:     true,
		PlanTimestamp: run.PlanTimestamp,
		Data:          config.DataOptions{Snapshots: snapshots, NoSnapshots: true, NoCommands: true},
	})
	maps.Copy(r.files, loader.Files())
	diags = append(diags, r.checkMocks(f, pol, run)...)
	blocks := policyBlocks(loader.Files(), r.Dir)

	var failedCalls []*config.Call
	// Records that failed on their own (config.Policy.Failed): the
	// other calls plan and apply, as in callctl, and each failure is an
	// error of the run unless expect_failures names its end_call.
	var recordDiags hcl.Diagnostics
	if pol != nil {
		for _, f := range pol.Failed {
			recordDiags = append(recordDiags, f.Diagnostics...)
		}
	}
	if !diags.HasErrors() {
		planner := &reconcile.Planner{Callers: callers, Parallelism: parallelism, Now: func() time.Time { return pol.PlanTimestamp }}
		plan, moreDiags := planner.Plan(ctx, pol.Calls)
		plan.FailedToLoad = len(pol.Failed)
		rr.Plan = plan
		diags = append(diags, moreDiags...)
		planned := map[*config.Call]bool{}
		for _, c := range plan.Changes {
			planned[c.Call] = true
		}
		for _, c := range pol.Calls {
			if !planned[c] {
				failedCalls = append(failedCalls, c)
			}
		}
		if run.Command == "apply" && !moreDiags.HasErrors() {
			// As callctl apply: a plan with errors is never applied.
			applier := &reconcile.Applier{Callers: callers, Parallelism: parallelism}
			rr.Applied = applier.Apply(ctx, ctx, plan)
			for _, res := range rr.Applied.Failures() {
				failedCalls = append(failedCalls, res.Change.Call)
			}
			diags = append(diags, reconcile.ApplyFailureDiagnostics(rr.Applied)...)
		}
	}
	diags = append(diags, recordDiags...)

	diags, missing := expectFailures(diags, run, pol, blocks, failedCalls)
	rr.Diags = append(rr.Diags, diags...)
	if diags.HasErrors() {
		rr.Status = Error
	}
	if len(missing) > 0 {
		rr.Status = worse(rr.Status, Fail)
		for _, addr := range missing {
			rr.Diags = append(rr.Diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing expected failure",
				Detail:   fmt.Sprintf("The run was expected to fail at %s, but it did not.", addr),
				Subject:  run.DeclRange.Ptr(),
			})
		}
	}
	if pol.Scope == nil || rr.Plan == nil {
		return rr
	}
	assertDiags := r.assert(run, pol.Scope, rr)
	rr.Diags = append(rr.Diags, assertDiags...)
	if assertDiags.HasErrors() {
		rr.Status = worse(rr.Status, Fail)
	}
	return rr
}

// checkMocks requires a mock for every exchange the calls use (a test
// never contacts an exchange) and a declared data source for every
// mock_data.
func (r *Runner) checkMocks(f *File, pol *config.Policy, run *Run) hcl.Diagnostics {
	var diags hcl.Diagnostics
	used := map[string]bool{}
	for _, c := range pol.Calls {
		used[c.Exchange] = true
	}
	for _, name := range slices.Sorted(maps.Keys(used)) {
		if f.Exchanges[name] != nil {
			continue
		}
		d := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No mock for exchange",
			Detail: fmt.Sprintf("The policy's calls use exchange %q, but %s has no mock_exchange %q block. callctl test never contacts an exchange: add one, with the calls it knows, e.g. mock_exchange %q { calls = { \"id\" = \"Connected\" } }.%s",
				name, f.Name, name, name, suggest(name, slices.Collect(maps.Keys(f.Exchanges)))),
			Subject: run.DeclRange.Ptr(),
		}
		diags = append(diags, d)
	}
	declared := map[string]bool{}
	for _, ds := range pol.DataSources {
		declared[ds.Address] = true
	}
	for _, addr := range slices.Sorted(maps.Keys(f.Data)) {
		if !declared[addr] && len(pol.Sources) > 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Mock for undeclared data source",
				Detail:   fmt.Sprintf("The mock_data block mocks %s, which the policy does not declare.%s", addr, suggest(addr, slices.Collect(maps.Keys(declared)))),
				Subject:  f.Data[addr].DeclRange.Ptr(),
			})
		}
	}
	return diags
}

// block is one top-level block of the policy, for expect_failures.
type block struct {
	address string
	rng     hcl.Range
}

// policyBlocks lists the checkable blocks of the policy's files.
func policyBlocks(files map[string]*hcl.File, dir string) []block {
	var out []block
	for _, name := range slices.Sorted(maps.Keys(files)) {
		f := files[name]
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok || filepath.Dir(name) != filepath.Clean(dir) {
			continue
		}
		for _, b := range body.Blocks {
			var addr string
			switch {
			case b.Type == "variable" && len(b.Labels) == 1:
				addr = "var." + b.Labels[0]
			case (b.Type == "exchange" || b.Type == "end_call" || b.Type == "protect") && len(b.Labels) == 1:
				addr = b.Type + "." + b.Labels[0]
			case b.Type == "data" && len(b.Labels) == 2:
				addr = "data." + b.Labels[0] + "." + b.Labels[1]
			default:
				continue
			}
			out = append(out, block{address: addr, rng: b.Range()})
		}
	}
	return out
}

func contains(outer, inner hcl.Range) bool {
	return outer.Filename == inner.Filename && outer.Start.Byte <= inner.Start.Byte && inner.End.Byte <= outer.End.Byte
}

// expectFailures removes the errors that expect_failures expects and
// returns the listed objects that had none.
func expectFailures(diags hcl.Diagnostics, run *Run, pol *config.Policy, blocks []block, failedCalls []*config.Call) (hcl.Diagnostics, []string) {
	if len(run.ExpectFailures) == 0 {
		return diags, nil
	}
	// A failed lookup or disconnect is the exchange's failure as much
	// as the call's: its diagnostic points at the end_call.
	exchangeOf := map[hcl.Range]string{}
	for _, c := range failedCalls {
		if c != nil {
			exchangeOf[c.DeclRange] = "exchange." + c.Exchange
		}
	}
	// A record that failed on its own is its end_call's failure, wherever
	// in the for expression (a local's, say) the error points.
	recordOf := map[*hcl.Diagnostic]string{}
	if pol != nil {
		for _, f := range pol.Failed {
			for _, d := range f.Diagnostics {
				recordOf[d] = "end_call." + f.Name
			}
		}
	}
	hit := map[string]bool{}
	var kept hcl.Diagnostics
	for _, d := range diags {
		// A protect block turns for_each-selected calls into a warning
		// (they are skipped), literal ones into an error: either is the
		// protect block doing its job, which a run may expect.
		skippedProtected := d.Summary == "Protected calls skipped"
		if d.Severity != hcl.DiagError && !skippedProtected {
			kept = append(kept, d)
			continue
		}
		var objs []string
		if o, ok := recordOf[d]; ok {
			objs = append(objs, o)
		}
		if d.Subject != nil {
			for _, b := range blocks {
				if contains(b.rng, *d.Subject) {
					objs = append(objs, b.address)
				}
			}
			if ex, ok := exchangeOf[*d.Subject]; ok {
				objs = append(objs, ex)
			}
		}
		if (d.Summary == "Call is protected" || skippedProtected) && pol != nil {
			for _, p := range pol.Protects {
				if strings.Contains(d.Detail, fmt.Sprintf("protect %q", p.Name)) {
					objs = append(objs, "protect."+p.Name)
				}
			}
		}
		expected := false
		for _, o := range objs {
			if slices.Contains(run.ExpectFailures, o) {
				hit[o], expected = true, true
			}
		}
		if !expected {
			kept = append(kept, d)
		}
	}
	var missing []string
	for _, addr := range run.ExpectFailures {
		if !hit[addr] {
			missing = append(missing, addr)
		}
	}
	return kept, missing
}

// assert checks the run's assertions against what it produced.
func (r *Runner) assert(run *Run, scope *config.Scope, rr *RunResult) hcl.Diagnostics {
	extra := map[string]cty.Value{"plan": planValue(rr.Plan)}
	if rr.Applied != nil {
		extra["apply"] = applyValue(rr.Applied)
	}
	var diags hcl.Diagnostics
	for _, a := range run.Asserts {
		var src []byte
		if f := r.parser.Files()[a.Condition.Range().Filename]; f != nil {
			src = f.Bytes
		}
		diags = append(diags, checkAssert(a, run, scope, extra, src)...)
	}
	return diags
}

func checkAssert(a *Assert, run *Run, scope *config.Scope, extra map[string]cty.Value, src []byte) hcl.Diagnostics {
	for _, tr := range a.Condition.Variables() {
		if tr.RootName() == "apply" && extra["apply"] == cty.NilVal {
			why := "this run's command is plan"
			if run.Command == "apply" {
				why = "the plan failed, so nothing was applied"
			}
			return hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "No apply results",
				Detail:   fmt.Sprintf("The condition refers to apply, but %s. apply.results exists only after a run with command = apply.", why),
				Subject:  tr.SourceRange().Ptr(),
			}}
		}
	}
	v, diags := scope.Eval(a.Condition, extra)
	if diags.HasErrors() {
		return diags
	}
	rng := a.Condition.Range()
	switch {
	case !v.IsKnown():
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown condition value",
			Detail:   "The condition depends on a value that is not known: a variable without a value, or env() of an unset name. Give the run a value in its variables block.",
			Subject:  &rng,
		})
	case v.IsNull():
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid condition result",
			Detail:   "The condition is null; it must be true or false.",
			Subject:  &rng,
		})
	}
	uv, _ := v.Unmark()
	bv, err := convertTo(uv, cty.Bool)
	if err != nil {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid condition result",
			Detail:   fmt.Sprintf("The condition must be true or false, but it is %s.", describe(uv)),
			Subject:  &rng,
		})
	}
	if bv.True() {
		return diags
	}
	msg := "Assertion failed."
	if mv, mdiags := scope.Eval(a.ErrorMessage, extra); !mdiags.HasErrors() && mv.IsKnown() && !mv.IsNull() {
		if mv.ContainsMarked() {
			msg = "(error message hidden: it uses a sensitive value)"
		} else if s, err := convertTo(mv, cty.String); err == nil {
			msg = s.AsString()
		}
	}
	if compared := comparedValues(a.Condition, scope, extra, src); compared != "" {
		msg += "\n\n" + compared
	}
	ctx := scope.EvalContext()
	maps.Copy(ctx.Variables, extra)
	return append(diags, &hcl.Diagnostic{
		Severity:    hcl.DiagError,
		Summary:     "Test assertion failed",
		Detail:      msg,
		Subject:     &rng,
		Expression:  a.Condition,
		EvalContext: ctx,
	})
}

// comparedValues says what each side of a failed comparison evaluated
// to, so that "length(...) == 1" shows the length it got.
func comparedValues(expr hcl.Expression, scope *config.Scope, extra map[string]cty.Value, src []byte) string {
	for {
		p, ok := expr.(*hclsyntax.ParenthesesExpr)
		if !ok {
			break
		}
		expr = p.Expression
	}
	bin, ok := expr.(*hclsyntax.BinaryOpExpr)
	if !ok {
		return ""
	}
	switch bin.Op {
	case hclsyntax.OpEqual, hclsyntax.OpNotEqual, hclsyntax.OpLessThan, hclsyntax.OpLessThanOrEqual,
		hclsyntax.OpGreaterThan, hclsyntax.OpGreaterThanOrEqual:
	default:
		return ""
	}
	var lines, texts []string
	var types []cty.Type
	for _, side := range []hclsyntax.Expression{bin.LHS, bin.RHS} {
		v, diags := scope.Eval(side, extra)
		if diags.HasErrors() {
			return ""
		}
		texts, types = append(texts, valueText(v)), append(types, v.Type())
		if _, lit := side.(*hclsyntax.LiteralValueExpr); lit {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s is %s", sourceText(side, src), valueText(v)))
	}
	if len(lines) == 0 {
		return ""
	}
	out := "The condition compared:\n  " + strings.Join(lines, "\n  ")
	if texts[0] == texts[1] && !types[0].Equals(types[1]) {
		// HCL's == compares types too: a tuple ([for ...], [...]) never
		// equals a list (distinct, tolist), however alike they read.
		out += fmt.Sprintf("\n\nThe two sides read the same but differ in type (%s and %s), and == compares types too. Convert one side, e.g. with tolist(...).",
			types[0].FriendlyName(), types[1].FriendlyName())
	}
	return out
}

// sourceText is an expression's text as written, on one line.
func sourceText(e hcl.Expression, src []byte) string {
	rng := e.Range()
	if rng.End.Byte > len(src) {
		return "the value"
	}
	return strings.Join(strings.Fields(string(src[rng.Start.Byte:rng.End.Byte])), " ")
}
