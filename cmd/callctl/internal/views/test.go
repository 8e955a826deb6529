package views

import (
	"bytes"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/callctl/callctl/policytest"
	"github.com/callctl/callctl/reconcile"
)

// Test is the view "callctl test" renders through.
type Test interface {
	SetConfigSources(map[string]*hcl.File)
	// Diagnostics reports problems outside any test file.
	Diagnostics(hcl.Diagnostics)
	// File reports one test file's runs, once they are done.
	File(*policytest.FileResult)
	// Summary closes the output.
	Summary(policytest.Summary)
}

// NewTest returns the view for the given type; it panics on an unknown
// type, which is a programming error.
func NewTest(vt arguments.ViewType, verbose bool, v *View) Test {
	switch vt {
	case arguments.ViewHuman:
		return &TestHuman{View: v, verbose: verbose}
	case arguments.ViewJSON:
		return &TestJSON{JSONView: NewJSONView(v), verbose: verbose}
	default:
		panic("views: unknown view type")
	}
}

// TestHuman prints Terraform's test output.
type TestHuman struct {
	*View
	verbose bool
}

var _ Test = (*TestHuman)(nil)

func (v *TestHuman) status(s policytest.Status) string {
	switch s {
	case policytest.Pass:
		return v.Paint("pass", "green")
	case policytest.Skip:
		return v.Paint("skip", "yellow")
	}
	return v.Paint(string(s), "red")
}

func (v *TestHuman) File(f *policytest.FileResult) {
	v.printf("%s... in progress\n", f.Name)
	v.Diagnostics(f.Diags)
	for _, r := range f.Runs {
		v.printf("  run %q... %s\n", r.Name, v.status(r.Status))
		if v.verbose && r.Plan != nil {
			var b bytes.Buffer
			v.WritePlan(&b, r.Plan)
			if r.Applied != nil {
				c := r.Applied.Counts()
				fmt.Fprintf(&b, "Applied: %d disconnected, %d already ended, %d not found, %d failed.\n", c.Disconnected, c.AlreadyEnded, c.NotFound, c.Failed)
			}
			v.printf("%s\n", b.String())
		}
		v.Diagnostics(r.Diags)
	}
	v.printf("%s... tearing down\n", f.Name)
	v.printf("%s... %s\n", f.Name, v.status(f.Status))
}

func (v *TestHuman) Summary(s policytest.Summary) {
	switch s.Status {
	case policytest.Skip:
		v.printf("\nNo test files found. Test files end in .calltest.hcl and live in the policy directory or its tests/ subdirectory.\n")
		return
	case policytest.Pass:
		v.printf("\n%s %d passed, %d failed.\n", v.Paint("Success!", "bold", "green"), s.Passed, s.Failed+s.Errored)
		return
	}
	line := fmt.Sprintf("%d passed, %d failed", s.Passed, s.Failed+s.Errored)
	if s.Skip > 0 {
		line += fmt.Sprintf(", %d skipped", s.Skip)
	}
	v.printf("\n%s %s.\n", v.Paint("Failure!", "bold", "red"), line)
}

// TestJSON streams test_file, test_run and test_summary messages.
type TestJSON struct {
	*JSONView
	verbose bool
}

var _ Test = (*TestJSON)(nil)

func (v *TestJSON) File(f *policytest.FileResult) {
	v.emit("info", f.Name+"... in progress", viewsjson.MessageTestFile, map[string]any{
		"test_file": map[string]any{"path": f.Name, "progress": "starting"},
	})
	v.Diagnostics(f.Diags)
	for _, r := range f.Runs {
		run := map[string]any{"path": f.Name, "run": r.Name, "command": r.Command, "progress": "complete", "status": r.Status}
		if v.verbose && r.Plan != nil {
			run["plan"] = planMessage(r.Plan)
		}
		if r.Applied != nil {
			run["apply_summary"] = viewsjson.NewApplySummary(r.Applied.Verdict())
		}
		v.emit("info", fmt.Sprintf("  run %q... %s", r.Name, r.Status), viewsjson.MessageTestRun, map[string]any{"test_run": run})
		v.Diagnostics(r.Diags)
	}
	v.emit("info", fmt.Sprintf("%s... %s", f.Name, f.Status), viewsjson.MessageTestFile, map[string]any{
		"test_file": map[string]any{"path": f.Name, "progress": "complete", "status": f.Status},
	})
}

func planMessage(p *reconcile.Plan) map[string]any {
	changes := make([]viewsjson.Observation, 0, len(p.Changes))
	for _, c := range p.Changes {
		changes = append(changes, viewsjson.NewObservation(c))
	}
	return map[string]any{"changes": changes, "summary": viewsjson.NewChangeSummary(p)}
}

func (v *TestJSON) Summary(s policytest.Summary) {
	msg := fmt.Sprintf("Success! %d passed, %d failed.", s.Passed, s.Failed+s.Errored)
	if s.Status != policytest.Pass {
		msg = fmt.Sprintf("Failure! %d passed, %d failed.", s.Passed, s.Failed+s.Errored)
	}
	v.emit("info", msg, viewsjson.MessageTestSummary, map[string]any{
		"test_summary": map[string]any{"status": s.Status, "passed": s.Passed, "failed": s.Failed, "errored": s.Errored, "skipped": s.Skip},
	})
}
