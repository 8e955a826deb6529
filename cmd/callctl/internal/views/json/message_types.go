// Package json holds the machine-readable shapes callctl prints: the
// newline-delimited messages of plan -json and apply -json, diagnostics in
// Terraform's shape, and the plan document of show -json.
//
// Rule: any change to a message's shape or to this list must bump UIVersion
// (minor for additions, major for changes or removals).
package json

// UIVersion is the version of the streamed message format.
//
// 1.6: test_file, test_run and test_summary, from callctl test -json.
// 1.5: cycle_summary, after each cycle of apply -watch.
// 1.4: apply_summary gains result, not_found (no longer counted as
// already_ended), sent_outcome_unknown and abandoned; an apply_summary is
// emitted however the apply ends once disconnects were started.
const UIVersion = "1.6"

// MessageType is the "type" of one streamed message.
type MessageType string

const (
	MessageVersion            MessageType = "version"
	MessageLog                MessageType = "log"
	MessageDiagnostic         MessageType = "diagnostic"
	MessagePlanStart          MessageType = "plan_start"
	MessageDataSourceRead     MessageType = "data_source_read" // since 1.3
	MessageCallObserved       MessageType = "call_observed"
	MessagePlannedDisconnect  MessageType = "planned_disconnect"
	MessageChangeSummary      MessageType = "change_summary"
	MessageDisconnectStart    MessageType = "disconnect_start"
	MessageDisconnectComplete MessageType = "disconnect_complete"
	MessageDisconnectErrored  MessageType = "disconnect_errored"
	MessageApplySummary       MessageType = "apply_summary"
	MessageCycleSummary       MessageType = "cycle_summary" // since 1.5, apply -watch
	MessageTestFile           MessageType = "test_file"     // since 1.6, callctl test
	MessageTestRun            MessageType = "test_run"      // since 1.6
	MessageTestSummary        MessageType = "test_summary"  // since 1.6
)
