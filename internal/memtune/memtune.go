// Package memtune tunes Go's garbage collector for callctl's memory peaks:
// a tighter target and a soft memory limit while a policy loads, and for
// the whole life of a very large plan. These are process-wide settings,
// so only a program's edge decides to use them (cmd/callctl unless the
// user set GOGC, callbench); library packages take the Tuner they are
// given (operation.Request.Memory) and never change them on their own.
package memtune

import "runtime/debug"

// Defaults: see Tuner.
const (
	DefaultLargePlanCalls = 50_000
	DefaultGCPercent      = 40
)

// Tuner implements operation.MemoryTuning. Its zero value never tightens
// a plan; New gives the measured defaults.
type Tuner struct {
	// LargePlanCalls is the size from which a plan is large: it holds
	// tens of megabytes of calls and changes for its whole run, and the
	// collector's default target lets the heap grow to twice that (at
	// 100,000 calls, 170 MB of RSS). The tighter target from the end of
	// loading until the plan is closed keeps it under 120 MB for about
	// 15% more CPU; smaller plans keep the default and its lower CPU per
	// lookup. 0 never tightens a plan.
	LargePlanCalls int
	// GCPercent is the tighter target.
	GCPercent int
}

// New returns a Tuner with the defaults.
func New() *Tuner {
	return &Tuner{LargePlanCalls: DefaultLargePlanCalls, GCPercent: DefaultGCPercent}
}

// Loading tightens the collector while a policy loads: parsing a large
// var-file briefly holds its whole token stream and syntax tree, the peak
// of a run's memory (for 100,000 calls, about 200 MB to 170 MB).
func (t *Tuner) Loading() (restore func()) { return t.tighten() }

// Plan tightens the collector for a plan of calls calls from the end of
// loading until the returned func is called (when the plan is closed,
// after it is rendered and saved: the heap is at its fullest just after
// loading and at the end). The soft memory limit stays too: without it
// the lookups grow the process to 166 MB at 100,000 calls, against 142 MB
// with it, for 10-20% more CPU (callbench -mode inventory).
func (t *Tuner) Plan(calls int) (restore func()) {
	if t.LargePlanCalls <= 0 || calls < t.LargePlanCalls {
		return func() {}
	}
	return t.tighten()
}

func (t *Tuner) tighten() (restore func()) {
	pct := t.GCPercent
	if pct <= 0 {
		pct = DefaultGCPercent
	}
	old := debug.SetGCPercent(pct)
	restoreLimit := softMemoryLimit()
	return func() {
		restoreLimit()
		debug.SetGCPercent(old)
	}
}
