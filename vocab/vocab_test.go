package vocab

import "testing"

func TestActive(t *testing.T) {
	live := map[string]bool{
		StateIdle: false, StateDisconnected: false,
		StateConnecting: true, StateAlerted: true, StateConnected: true,
		StateIncoming: true, StateTransferring: true, StateForwarding: true,
		"SomethingNew": true, // unknown states are treated as live
	}
	for state, want := range live {
		if got := Active(state); got != want {
			t.Errorf("Active(%q) = %v, want %v", state, got, want)
		}
	}
	if len(States()) != 8 {
		t.Errorf("%d states, want the 8 both dialects document", len(States()))
	}
	for _, s := range States() {
		if !KnownState(s) {
			t.Errorf("KnownState(%q) = false", s)
		}
	}
	if KnownState("SomethingNew") {
		t.Error("an undocumented state is known")
	}
	// States returns a copy: a caller cannot change the vocabulary.
	States()[0] = "x"
	if States()[0] != StateIdle {
		t.Error("States shares its backing array")
	}
}
