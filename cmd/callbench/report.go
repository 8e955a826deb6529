package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/journal"
	"github.com/callctl/callctl/reconcile"
)

// Targets, from the issue that asked for this benchmark.
const (
	targetRatio         = 1.15  // latency-bound duration over its floor
	targetPerSecond     = 5000  // cpu-bound lookups or disconnects per second
	targetPeakRSSBytes  = 120e6 // callctl plan of -memory-calls calls (issue 14)
	goroutinesPerWorker = 10    // goroutine growth allowed per unit of parallelism...
	goroutinesSlack     = 20    // ...plus this many
)

// report is every figure of one callbench run; it is the last line of
// output, as JSON. Figures of modes not run are absent.
type report struct {
	// Throttled is the throttled mode's figure.
	Throttled        *throttledFigure `json:"throttled,omitempty"`
	Go               string           `json:"go"`
	Platform         string           `json:"platform"`
	NumCPU           int              `json:"nproc"`
	Mode             string           `json:"mode"`
	Calls            int              `json:"calls"`
	CPUCalls         int              `json:"cpu_calls"`
	MemoryCalls      int              `json:"memory_calls"`
	InventoryRecords int              `json:"inventory_records"`
	LatencyMS        float64          `json:"latency_ms"`
	Parallelism      int              `json:"parallelism"`
	Auth             string           `json:"auth"`
	Transport        string           `json:"transport"`
	Fault            string           `json:"fault"`
	FaultRate        float64          `json:"fault_rate"`

	// Calibration is bare net/http at the same latency and parallelism:
	// the best ratio this machine allows (see calibrate).
	Calibration      *figure     `json:"calibration_latency,omitempty"`
	PlanLatency      *figure     `json:"plan_latency,omitempty"`
	ApplyDisconnects *figure     `json:"apply_disconnects_latency,omitempty"`
	ApplyFull        *figure     `json:"apply_plan_and_disconnect_latency,omitempty"`
	PlanCPU          *figure     `json:"plan_cpu,omitempty"`
	ApplyCPU         *figure     `json:"apply_cpu,omitempty"`
	Goroutines       *goroutines `json:"goroutines,omitempty"`
	Memory           *memory     `json:"memory,omitempty"`
	Ceiling          *ceiling    `json:"ceiling,omitempty"`
	Inventory        *inventory  `json:"inventory,omitempty"`

	// TargetsMissed names each figure that missed its target, and why.
	TargetsMissed []string `json:"targets_missed"`
}

// figure is one timed plan or apply.
type figure struct {
	Calls        int     `json:"calls"`
	Seconds      float64 `json:"seconds"`
	FloorSeconds float64 `json:"floor_seconds,omitempty"` // latency-bound: calls × requests each × latency / parallelism
	Ratio        float64 `json:"ratio,omitempty"`         // Seconds / FloorSeconds
	PerSecond    float64 `json:"per_second,omitempty"`    // cpu-bound: calls / Seconds
	// LoadSeconds is the part of a plan spent loading the policy and
	// setting up clients, before the first lookup.
	LoadSeconds float64 `json:"load_seconds,omitempty"`
	// CalibrationRatio is Seconds over the calibration line's time for
	// the same number of requests; NoLoad leaves LoadSeconds out.
	CalibrationRatio       float64            `json:"calibration_ratio,omitempty"`
	CalibrationRatioNoLoad float64            `json:"calibration_ratio_without_load,omitempty"`
	Plan                   *planCounts        `json:"plan,omitempty"`
	LookupFailures         int                `json:"lookup_failures"`
	Outcomes               *journal.RunCounts `json:"outcomes,omitempty"` // in the journal's words
	// Error is why a run under injected faults did not finish (a plan
	// with failed lookups stops callctl apply).
	Error  string        `json:"error,omitempty"`
	Server exchsim.Stats `json:"server"`
}

// goroutines is the peak goroutine count during an in-process plan, simulator
// included.
type goroutines struct {
	Calls    int `json:"calls"`
	Baseline int `json:"baseline"` // before the plan started
	Max      int `json:"max"`
	Bound    int `json:"bound"` // Baseline + goroutinesPerWorker × parallelism + goroutinesSlack
}

// memory is the peak RSS of `callctl plan` (and of the exchsim serving it)
// as child processes.
type memory struct {
	Calls           int     `json:"calls"`
	Seconds         float64 `json:"seconds"`
	PeakRSSBytes    int64   `json:"peak_rss_bytes"`
	ExitCode        int     `json:"exit_code"`
	PlanLine        string  `json:"plan_line"` // callctl's "Plan: ..." summary
	SimPeakRSSBytes int64   `json:"exchsim_peak_rss_bytes"`
}

// printer writes the human lines and keeps the report.
type printer struct {
	w   io.Writer
	rep *report
}

func (p *printer) linef(format string, args ...any) { fmt.Fprintf(p.w, format+"\n", args...) }

// missed records a missed target; the returned note ends the figure's line.
func (p *printer) missed(figure, why string) string {
	p.rep.TargetsMissed = append(p.rep.TargetsMissed, figure+": "+why)
	return "; target missed: " + why
}

// timed prints a latency-bound figure against its floor.
func (p *printer) timed(name, unit string, f *figure, checkTarget bool) {
	note := errorNote(f)
	if f.FloorSeconds == 0 {
		p.linef("%s: %d %s in %.3fs (floor 0: zero latency)%s%s", name, f.Calls, unit, f.Seconds, outcomeNote(f), note)
		return
	}
	if checkTarget && f.Ratio > targetRatio {
		note += p.missed(name, fmt.Sprintf("ratio %.2f > %.2f", f.Ratio, targetRatio))
	}
	p.linef("%s: %d %s in %.3fs (floor %.3fs, ratio %.2f)%s%s", name, f.Calls, unit, f.Seconds, f.FloorSeconds, f.Ratio, outcomeNote(f), note)
}

// rate prints a cpu-bound figure.
func (p *printer) rate(name, unit string, f *figure, checkTarget bool) {
	note := errorNote(f)
	if checkTarget && f.PerSecond < targetPerSecond {
		note += p.missed(name, fmt.Sprintf("%.0f %s/s < %d", f.PerSecond, unit, targetPerSecond))
	}
	p.linef("%s: %d %s in %.3fs = %.0f %s/s (target >= %d/s)%s%s", name, f.Calls, unit, f.Seconds, f.PerSecond, unit, targetPerSecond, outcomeNote(f), note)
}

// connections prints what the server saw of one run's connections. With
// NTLM each connection is authenticated once, so handshakes must equal
// connections; either way no more than parallelism connections are needed.
func (p *printer) connections(name string, st exchsim.Stats, parallelism int, auth string, checkTarget bool) {
	var why []string
	if k := authkind.Lookup(auth); checkTarget && k != nil && k.ConnectionBound && st.NTLMHandshakes != st.Connections {
		why = append(why, fmt.Sprintf("%d NTLM handshakes != %d connections", st.NTLMHandshakes, st.Connections))
	}
	if k := authkind.Lookup(auth); checkTarget && k != nil && k.ChannelBound && st.CBTMismatch+st.CBTValid > 0 && st.CBTValid != st.NTLMHandshakes {
		why = append(why, fmt.Sprintf("%d logins with the right channel binding != %d NTLM handshakes (%d mismatched)", st.CBTValid, st.NTLMHandshakes, st.CBTMismatch))
	}
	if checkTarget && st.Connections > int64(parallelism) {
		why = append(why, fmt.Sprintf("%d connections > parallelism %d", st.Connections, parallelism))
	}
	note := ""
	if len(why) > 0 {
		note = p.missed("connections ("+name+")", strings.Join(why, ", "))
	}
	bound := ""
	if st.CBTValid+st.CBTMismatch > 0 {
		bound = fmt.Sprintf(" (%d with the channel binding)", st.CBTValid)
	}
	p.linef("connections (%s): %d opened, %d NTLM handshakes%s, %d HTTP requests, parallelism %d%s%s",
		name, st.Connections, st.NTLMHandshakes, bound, st.HTTPRequests, parallelism, faultNote(st), note)
}

// outcomeNote summarises a plan's or apply's outcome.
func outcomeNote(f *figure) string {
	var parts []string
	if f.LookupFailures > 0 {
		parts = append(parts, fmt.Sprintf("%d lookups failed", f.LookupFailures))
	}
	if c := f.Outcomes; c != nil {
		if c.Disconnected == f.Calls {
			parts = append(parts, "all disconnected")
		} else {
			parts = append(parts, fmt.Sprintf("%d disconnected, %d already ended, %d failed, %d left alone, %d not started",
				c.Disconnected, c.AlreadyEnded, c.Failed, c.LeftAlone, c.NotStarted))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}

// errorNote says that a run under faults stopped; the JSON has the error
// in full, which names a call and is too long for a line.
func errorNote(f *figure) string {
	switch {
	case f.Error == "":
		return ""
	case f.LookupFailures > 0:
		return "; the plan failed, so callctl would stop here"
	}
	return "; " + f.Error
}

func faultNote(st exchsim.Stats) string {
	var n int64
	for _, v := range st.Faults {
		n += v
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d injected faults", n)
}

// writeJSON prints the report as the last line.
func (p *printer) writeJSON() error {
	if p.rep.TargetsMissed == nil {
		p.rep.TargetsMissed = []string{}
	}
	b, err := json.Marshal(p.rep)
	if err != nil {
		return fmt.Errorf("callbench: %w", err)
	}
	_, err = fmt.Fprintf(p.w, "%s\n", b)
	return err
}

// planCounts are a plan's counts in the report's words.
type planCounts struct {
	ToDisconnect int `json:"disconnect"`
	AlreadyEnded int `json:"already_ended"`
	NotFound     int `json:"not_found"`
	LeftAlone    int `json:"left_alone"`
}

func planCountsOf(s reconcile.Summary) *planCounts {
	return &planCounts{ToDisconnect: s.ToDisconnect, AlreadyEnded: s.AlreadyEnded, NotFound: s.NotFound, LeftAlone: s.LeftAlone}
}
