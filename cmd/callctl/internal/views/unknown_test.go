package views

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/reconcile"
)

// A disconnect sent and left unanswered says what stopped it (a back-off
// past -max-backoff, the exchange given up), once; one cut off by the
// second interrupt adds nothing, the interrupt's own message tells it.
func TestUnknownOutcomeSaysWhy(t *testing.T) {
	c := &reconcile.Change{Address: `end_call.c["a"]`, CallID: "a", Exchange: "corp"}
	why := errors.New("sent, outcome unknown: the exchange asked to back off 5m0s, more than -max-backoff 1m0s; DisconnectPhoneCall not retried")
	for _, vt := range []arguments.ViewType{arguments.ViewHuman, arguments.ViewJSON} {
		for _, tc := range []struct {
			err     error
			want    string
			notWant string
		}{
			{err: why, want: "Sent, outcome unknown", notWant: "unknown: sent, outcome unknown"},
			{err: reconcile.ErrSentOutcomeUnknown, want: "Sent, outcome unknown", notWant: "abandoned"},
		} {
			s, out, _ := streams()
			v := NewOperation(vt, NewView(s, true))
			v.Hooks()[0].PostDisconnect(&reconcile.Result{Change: c, Outcome: reconcile.OutcomeUnknown, Err: tc.err})
			got := out.String()
			if vt == arguments.ViewJSON {
				// The message's own words; its result carries the error.
				lines := strings.Split(strings.TrimSpace(got), "\n")
				var m struct {
					Message string `json:"@message"`
				}
				if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
					t.Fatal(err)
				}
				got = m.Message
			}
			if !strings.Contains(got, tc.want) || strings.Contains(got, tc.notWant) {
				t.Errorf("%v, %v:\n%s\nwant %q, not %q", vt, tc.err, got, tc.want, tc.notWant)
			}
			if tc.err == why && !strings.Contains(got, "more than -max-backoff 1m0s; DisconnectPhoneCall not retried") {
				t.Errorf("%v: the cause is not shown:\n%s", vt, got)
			}
		}
	}
}
