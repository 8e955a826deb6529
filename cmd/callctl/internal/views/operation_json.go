package views

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/version"
	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
)

// JSONView writes newline-delimited JSON messages to stdout, nothing else.
type JSONView struct {
	*View
}

// NewJSONView starts a JSON stream with its version message.
func NewJSONView(v *View) *JSONView {
	j := &JSONView{View: v}
	j.emit("info", fmt.Sprintf("callctl %s", version.Version), viewsjson.MessageVersion, map[string]any{
		"callctl": version.Version,
		"ui":      viewsjson.UIVersion,
	})
	return j
}

// emit writes one message: the common fields, then the payload's fields.
func (j *JSONView) emit(level, message string, typ viewsjson.MessageType, payload map[string]any) {
	m := map[string]any{
		"@level":     level,
		"@message":   message,
		"@module":    "callctl.ui",
		"@timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"type":       typ,
	}
	for k, v := range payload {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		// Every payload is built from plain structs, so this is a bug;
		// but the run it reports on is real (disconnects may have been
		// sent), so the stream goes on, saying what was lost.
		b = encodeFailure(message, typ, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	// A failed write is not lost: the command's stdout records its first
	// error and reports it when the command ends (command.Run).
	j.streams.Out.Write(append(b, '\n')) //nolint:errcheck // see above

}

// encodeFailure is the diagnostic message that stands in for a message
// that could not be encoded: its text is kept, its structured fields are
// lost. It has only strings, which always encode.
func encodeFailure(message string, typ viewsjson.MessageType, err error) []byte {
	summary := fmt.Sprintf("Could not write the %s message as JSON", typ)
	b, _ := json.Marshal(map[string]any{
		"@level":     "error",
		"@message":   "Error: " + summary,
		"@module":    "callctl.ui",
		"@timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"type":       viewsjson.MessageDiagnostic,
		"diagnostic": viewsjson.Diagnostic{
			Severity: "error",
			Summary:  summary,
			Detail: fmt.Sprintf("The message read %q; encoding it failed: %v. "+
				"This is a bug in callctl; please report it with the command you ran.", message, err),
		},
	})
	return b
}

// Diagnostics emits one diagnostic message each.
func (j *JSONView) Diagnostics(diags hcl.Diagnostics) {
	for _, d := range diags {
		level := "error"
		if d.Severity == hcl.DiagWarning {
			level = "warn"
		}
		msg := fmt.Sprintf("%s: %s", map[string]string{"error": "Error", "warn": "Warning"}[level], d.Summary)
		j.emit(level, msg, viewsjson.MessageDiagnostic, map[string]any{"diagnostic": viewsjson.NewDiagnostic(d, j.files)})
	}
}

// OperationJSON renders plan and apply as JSON messages.
type OperationJSON struct {
	*JSONView
}

var _ Operation = (*OperationJSON)(nil)

// NewOperationJSON starts the JSON stream for plan or apply.
func NewOperationJSON(v *View) *OperationJSON { return &OperationJSON{JSONView: NewJSONView(v)} }

func (j *OperationJSON) Planning(calls, exchanges int) {
	j.emit("info", fmt.Sprintf("Looking up %d %s on %d %s", calls, plural(calls, "call", "calls"), exchanges, plural(exchanges, "exchange", "exchanges")), viewsjson.MessagePlanStart,
		map[string]any{"calls": calls, "exchanges": exchanges})
}

func (j *OperationJSON) Plan(plan *reconcile.Plan) {
	for _, c := range plan.Changes {
		j.emit("info", fmt.Sprintf("%s: %s", c.Address, observedText(c)), viewsjson.MessageCallObserved,
			map[string]any{"observation": viewsjson.NewObservation(c)})
	}
	for _, c := range plan.Changes {
		if c.Action == reconcile.ActionDisconnect {
			j.emit("info", fmt.Sprintf("%s: Plan to disconnect", c.Address), viewsjson.MessagePlannedDisconnect,
				map[string]any{"call": viewsjson.NewCall(c), "state": c.State})
		}
	}
	j.emit("info", PlanSummaryLine(plan.Summary(), len(plan.Changes)), viewsjson.MessageChangeSummary,
		map[string]any{"changes": viewsjson.NewChangeSummary(plan)})
}

func observedText(c *reconcile.Change) string {
	if c.Action == reconcile.ActionNotFound {
		return "not found"
	}
	return "state " + c.State
}

func (j *OperationJSON) PlanNextStep(string, string) {}

func (j *OperationJSON) Hooks() []reconcile.Hook { return []reconcile.Hook{&jsonApplyHook{j: j}} }

func (j *OperationJSON) Applying(int) {}

func (j *OperationJSON) Applied(res *reconcile.ApplyResult) {
	v := res.Verdict()
	j.emit("info", ApplySummaryLine(v), viewsjson.MessageApplySummary, map[string]any{"outcomes": viewsjson.NewApplySummary(v)})
}

func (j *OperationJSON) Stopping(phase operation.Phase) {
	if phase == operation.PhasePreparing {
		j.emit("warn", "Interrupt received: stopping; no disconnect has been sent", viewsjson.MessageLog, nil)
		return
	}
	j.emit("warn", "Interrupt received: stopping; no further disconnects will be started", viewsjson.MessageLog, nil)
}

func (j *OperationJSON) Cancelled() {
	j.emit("info", "Apply cancelled", viewsjson.MessageLog, nil)
}

type jsonApplyHook struct {
	reconcile.NilHook
	j *OperationJSON
}

func (h *jsonApplyHook) PreDisconnect(c *reconcile.Change) {
	h.j.emit("info", fmt.Sprintf("%s: Disconnecting...", c.Address), viewsjson.MessageDisconnectStart,
		map[string]any{"call": viewsjson.NewCall(c)})
}

func (h *jsonApplyHook) PostDisconnect(r *reconcile.Result) {
	typ, level := viewsjson.MessageDisconnectComplete, "info"
	msg := fmt.Sprintf("%s: %s", r.Change.Address, r.Outcome)
	switch r.Outcome {
	case reconcile.OutcomeFailed:
		typ, level = viewsjson.MessageDisconnectErrored, "error"
		msg = fmt.Sprintf("%s: Failed: %s", r.Change.Address, oneLine(r.Err.Error()))
	case reconcile.OutcomeUnknown:
		typ, level = viewsjson.MessageDisconnectErrored, "warn"
		msg = fmt.Sprintf("%s: Sent, outcome unknown%s", r.Change.Address, unknownWhy(r.Err, ": "))
	case reconcile.OutcomeNotStarted:
		typ, level = viewsjson.MessageDisconnectErrored, "warn"
		msg = fmt.Sprintf("%s: Not started: the apply was stopped first", r.Change.Address)
	}
	h.j.emit(level, msg, typ, map[string]any{"result": viewsjson.NewDisconnectResult(r)})
}

func (j *OperationJSON) Retried(s throttle.Stats) {
	if s.Retries == 0 {
		return
	}
	j.emit("warn", fmt.Sprintf("%d requests retried after transient failures, %d throttled", s.Retries, s.Throttled), viewsjson.MessageLog,
		map[string]any{"retries": s.Retries, "throttled": s.Throttled, "backoff_seconds": s.Backoff.Seconds()})
}
