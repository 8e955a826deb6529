package json

import (
	"time"

	"github.com/callctl/callctl/watch"
)

// CycleSummary is one apply -watch cycle, the payload of a cycle_summary
// message (since UI 1.5); its one-line text is the views package's.
type CycleSummary struct {
	Cycle           int       `json:"cycle"`
	Started         time.Time `json:"started"`
	DurationSeconds float64   `json:"duration_seconds"`
	// Result is the cycle's result, as the metrics label it
	// (metrics.ResultOK and the others): "ok", "partial" (some
	// disconnects failed), "error" (the cycle could not run; its
	// diagnostics say why) or "interrupted".
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
	// NextTry maps each exchange given up by this or an earlier cycle,
	// and left alone for now, to the seconds until it is tried again
	// (omitted when none is).
	NextTry map[string]float64 `json:"next_try_seconds,omitempty"`
	// Protected counts calls a protect block kept the cycle from ending
	// (omitted when none).
	Protected int `json:"protected,omitempty"`
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
		NextTry:             nextTry(s),
		Protected:           s.Protected,
	}
}

func nextTry(s *watch.Summary) map[string]float64 {
	if len(s.NextTries) == 0 {
		return nil
	}
	out := map[string]float64{}
	for _, n := range s.NextTries {
		out[n.Exchange] = n.In.Seconds()
	}
	return out
}
