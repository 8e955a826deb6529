package policytest

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/reconcile"
)

// Status is how a run, a file or the whole test ended.
type Status string

const (
	Pass  Status = "pass"
	Fail  Status = "fail"  // an assertion failed, or an expected failure did not happen
	Error Status = "error" // the run could not be carried out: an unexpected error
	Skip  Status = "skip"  // not run, because the file could not be read
)

// worse returns the more severe of two statuses.
func worse(a, b Status) Status {
	rank := map[Status]int{Skip: 0, Pass: 1, Fail: 2, Error: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// FileResult is what one test file's runs came to.
type FileResult struct {
	Name   string
	Status Status
	// Diags are the file's own problems (it does not parse, say); then
	// no run was carried out.
	Diags hcl.Diagnostics
	Runs  []*RunResult
}

// RunResult is one run's outcome.
type RunResult struct {
	Name    string
	Command string
	Status  Status
	// Diags are the failed assertions and the unexpected errors, and the
	// warnings met on the way.
	Diags hcl.Diagnostics
	// Plan is the plan the run made (possibly partial), nil if none;
	// Applied the apply's outcome after command = apply.
	Plan    *reconcile.Plan
	Applied *reconcile.ApplyResult
}

// Summary counts runs by status.
type Summary struct {
	Status                        Status
	Passed, Failed, Errored, Skip int
}

// Summarize counts the runs of every file.
func Summarize(files []*FileResult) Summary {
	s := Summary{Status: Pass}
	if len(files) == 0 {
		s.Status = Skip
	}
	for _, f := range files {
		s.Status = worse(s.Status, f.Status)
		for _, r := range f.Runs {
			switch r.Status {
			case Pass:
				s.Passed++
			case Fail:
				s.Failed++
			case Error:
				s.Errored++
			case Skip:
				s.Skip++
			}
		}
	}
	return s
}
