package views

import (
	"fmt"
	"time"

	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/watch"
)

// applyHeadlines are the words for each verdict.
var applyHeadlines = map[reconcile.Verdict]string{
	reconcile.VerdictComplete:         "Apply complete!",
	reconcile.VerdictPartlyFailed:     "Apply partly failed!",
	reconcile.VerdictFailed:           "Apply failed!",
	reconcile.VerdictInterrupted:      "Apply interrupted!",
	reconcile.VerdictDeadlineExceeded: "Apply stopped at -deadline!",
	reconcile.VerdictAbandoned:        "Apply abandoned!",
}

// ApplySummaryLine is the one-line verdict every view prints (the human
// summary, the JSON apply_summary's @message), e.g. "Apply partly failed!
// Calls: 3 disconnected, 1 already ended, 1 failed." The headline says
// "complete" only when nothing failed.
func ApplySummaryLine(v reconcile.ApplyVerdict) string {
	line := fmt.Sprintf("%s Calls: %d disconnected, %d already ended", applyHeadlines[v.Verdict], v.Disconnected, v.AlreadyEnded)
	if v.NotFound > 0 {
		line += fmt.Sprintf(", %d not found", v.NotFound)
	}
	line += fmt.Sprintf(", %d failed", v.Failed)
	if v.LeftAlone > 0 {
		line += fmt.Sprintf(", %d left alone", v.LeftAlone)
	}
	if v.Unknown > 0 {
		line += fmt.Sprintf(", %d sent with outcome unknown", v.Unknown)
	}
	if v.NotStarted > 0 {
		line += fmt.Sprintf(", %d not started", v.NotStarted)
	}
	return line + "."
}

// CycleSummaryLine is the one line a watch prints per cycle, e.g.
//
//	20:31:00 cycle 3: 12 looked up, 2 disconnected, 1 not found, 0 failed (143ms)
func CycleSummaryLine(s *watch.Summary) string {
	line := fmt.Sprintf("%s cycle %d: %d looked up, %d disconnected, %d not found, %d failed (%s)",
		s.Started.Local().Format(time.TimeOnly), s.Cycle, s.LookedUp, s.Disconnected, s.NotFound, s.Failed, s.Duration.Round(time.Millisecond))
	switch s.Result {
	case metrics.ResultInterrupted:
		line += "; interrupted"
	case metrics.ResultError:
		line += fmt.Sprintf("; cycle failed with %d %s", s.Errors, plural(s.Errors, "error", "errors"))
		if s.Repeated == s.Errors {
			line += ", as before"
		}
	}
	if s.Protected > 0 {
		line += fmt.Sprintf("; %d protected (skipped)", s.Protected)
	}
	for _, n := range s.NextTries {
		line += "; " + n.String()
	}
	return line
}
