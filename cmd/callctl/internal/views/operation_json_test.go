package views

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
)

// A message that cannot be encoded must neither panic (the run it reports
// on may have sent disconnects) nor vanish: it becomes an error
// diagnostic in the stream, keeping its text, and the stream goes on.
func TestJSONEmitReportsEncodeFailure(t *testing.T) {
	s, out, _ := streams()
	j := NewJSONView(NewView(s, true))
	j.emit("info", "corp: 3 calls", viewsjson.MessageLog, map[string]any{"ratio": math.NaN()})
	j.emit("info", "after", viewsjson.MessageLog, nil)

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3 (version, stand-in, after):\n%s", len(lines), out)
	}
	var m struct {
		Level      string               `json:"@level"`
		Message    string               `json:"@message"`
		Type       string               `json:"type"`
		Diagnostic viewsjson.Diagnostic `json:"diagnostic"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &m); err != nil {
		t.Fatalf("stand-in is not JSON: %v\n%s", err, lines[1])
	}
	if m.Level != "error" || m.Type != string(viewsjson.MessageDiagnostic) || m.Diagnostic.Severity != "error" {
		t.Errorf("stand-in = %+v, want an error diagnostic", m)
	}
	for _, want := range []string{`"corp: 3 calls"`, "NaN", "bug in callctl"} {
		if !strings.Contains(m.Diagnostic.Detail, want) {
			t.Errorf("detail %q lacks %q", m.Diagnostic.Detail, want)
		}
	}
	if !strings.Contains(m.Message, "log message") {
		t.Errorf("@message %q does not name the lost message's type", m.Message)
	}
	if !strings.Contains(lines[2], `"after"`) {
		t.Errorf("the stream stopped after the failure: %s", lines[2])
	}
}
