package views

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
	"github.com/callctl/callctl/watch"
)

// Watch is the view of apply -watch: every cycle is an apply, reported
// through the Operation methods, followed by a cycle summary.
type Watch interface {
	watch.View
	// Stopping acknowledges a first interrupt, in the phase of the
	// cycle's apply (finished between cycles).
	Stopping(operation.Phase)
	// MetricsServing says where metrics and probes are served.
	MetricsServing(metrics.Listening)
}

// NewWatch returns the watch view for the given type; it panics on an
// unknown type, which is a programming error.
func NewWatch(vt arguments.ViewType, v *View) Watch {
	switch vt {
	case arguments.ViewHuman:
		return &WatchHuman{op: &OperationHuman{View: v}}
	case arguments.ViewJSON:
		return &WatchJSON{NewOperationJSON(v)}
	default:
		panic("views: unknown view type")
	}
}

// WatchHuman prints one line per cycle and the diagnostics; the plan and
// each disconnect are in the journal ("callctl show -journal"), not
// repeated every interval on the terminal.
type WatchHuman struct {
	op *OperationHuman
}

var _ Watch = (*WatchHuman)(nil)

func (v *WatchHuman) Diagnostics(diags hcl.Diagnostics)       { v.op.View.Diagnostics(diags) }
func (v *WatchHuman) SetConfigSources(f map[string]*hcl.File) { v.op.SetConfigSources(f) }
func (v *WatchHuman) DataSourceRead(*config.DataSource)       {}
func (v *WatchHuman) Planning(int, int)                       {}
func (v *WatchHuman) Plan(*reconcile.Plan)                    {}
func (v *WatchHuman) Retried(throttle.Stats)                  {}
func (v *WatchHuman) Hooks() []reconcile.Hook                 { return nil }
func (v *WatchHuman) Applying(int)                            {}
func (v *WatchHuman) Applied(*reconcile.ApplyResult)          {}
func (v *WatchHuman) Cancelled()                              {}
func (v *WatchHuman) SavedPlan(*operation.SavedPlan)          {}

// Stopping speaks of this cycle only: earlier cycles may well have
// disconnected calls, so "no disconnect has been sent" would be untrue.
func (v *WatchHuman) Stopping(phase operation.Phase) {
	if phase == operation.PhaseDisconnecting {
		v.op.printf("\nInterrupt received: stopping. No further disconnects will be started;\nthose already sent are allowed to finish. Interrupt again to abandon them.\n")
		return
	}
	v.op.printf("\nInterrupt received: stopping. No disconnect is in flight.\n")
}

func (v *WatchHuman) CycleSummary(s *watch.Summary) {
	v.op.printf("%s\n", CycleSummaryLine(s))
}

// WatchJSON emits every cycle's usual apply messages, then a
// cycle_summary.
type WatchJSON struct {
	*OperationJSON
}

var _ Watch = (*WatchJSON)(nil)

// Stopping speaks of this cycle only, as WatchHuman's does.
func (j *WatchJSON) Stopping(phase operation.Phase) {
	if phase == operation.PhaseDisconnecting {
		j.OperationJSON.Stopping(phase)
		return
	}
	j.emit("warn", "Interrupt received: stopping; no disconnect is in flight", viewsjson.MessageLog, nil)
}

func (j *WatchJSON) CycleSummary(s *watch.Summary) {
	level := "info"
	if s.Result != metrics.ResultOK {
		level = "warn"
	}
	j.emit(level, CycleSummaryLine(s), viewsjson.MessageCycleSummary, map[string]any{"cycle": viewsjson.NewCycleSummary(s)})
}
