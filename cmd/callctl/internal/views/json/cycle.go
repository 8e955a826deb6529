package json

import (
	"fmt"
	"time"

	"github.com/callctl/callctl/watch"
)

// CycleSummary is one apply -watch cycle, the payload of a cycle_summary
// message (since UI 1.5) and, through String, the line a terminal shows.
type CycleSummary struct {
	Cycle           int       `json:"cycle"`
	Started         time.Time `json:"started"`
	DurationSeconds float64   `json:"duration_seconds"`
	// Result is "ok", "partial" (some disconnects failed), "error"
	// (the cycle could not run; its diagnostics say why) or
	// "interrupted".
	Result       string `json:"result"`
	LookedUp     int    `json:"looked_up"`
	Disconnected int    `json:"disconnected"`
	AlreadyEnded int    `json:"already_ended"`
	NotFound     int    `json:"not_found"`
	Failed       int    `json:"failed"`
	// Errors counts the cycle's error diagnostics; RepeatedDiagnostics
	// those of them not shown again because the previous cycle had them.
	Errors              int `json:"errors"`
	RepeatedDiagnostics int `json:"repeated_diagnostics"`

	duration time.Duration
}

// NewCycleSummary converts a watch cycle's summary.
func NewCycleSummary(s *watch.Summary) CycleSummary {
	return CycleSummary{
		Cycle:               s.Cycle,
		Started:             s.Started.UTC(),
		DurationSeconds:     s.Duration.Seconds(),
		Result:              s.Result,
		LookedUp:            s.LookedUp,
		Disconnected:        s.Disconnected,
		AlreadyEnded:        s.AlreadyEnded,
		NotFound:            s.NotFound,
		Failed:              s.Failed,
		Errors:              s.Errors,
		RepeatedDiagnostics: s.Repeated,
		duration:            s.Duration,
	}
}

// String is the one line a terminal shows per cycle, e.g.
//
//	20:31:00 cycle 3: 12 looked up, 2 disconnected, 1 not found, 0 failed (143ms)
func (s CycleSummary) String() string {
	line := fmt.Sprintf("%s cycle %d: %d looked up, %d disconnected, %d not found, %d failed (%s)",
		s.Started.Local().Format(time.TimeOnly), s.Cycle, s.LookedUp, s.Disconnected, s.NotFound, s.Failed, s.duration.Round(time.Millisecond))
	if s.Result == "interrupted" {
		line += "; interrupted"
	}
	if s.Result == "error" {
		line += fmt.Sprintf("; cycle failed with %d %s", s.Errors, map[bool]string{true: "error", false: "errors"}[s.Errors == 1])
		if s.RepeatedDiagnostics == s.Errors {
			line += ", as before"
		}
	}
	return line
}
