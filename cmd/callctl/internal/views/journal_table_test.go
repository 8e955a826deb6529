package views

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callctl/callctl/journal"
)

var (
	t1 = time.Date(2026, 11, 26, 7, 30, 1, 0, time.UTC)
	t2 = t1.Add(time.Second)
)

func TestJournalTable(t *testing.T) {
	statuses := []journal.CallStatus{
		{Run: "20261126T073000Z-9f3c2a1b", Time: t1, Address: `end_call.fraud["x"]`, Exchange: "corp", CallID: "AAMk=", Status: "disconnected"},
		{Run: "20261126T073000Z-9f3c2a1b", Time: t2, Address: "end_call.b", Exchange: "corp", CallID: "id with space", Status: journal.StatusSentUnknown},
		{Run: "20261126T073000Z-9f3c2a1b", Time: t2, Address: "end_call.c", Exchange: "um", CallID: "C", Status: "failed", Error: "soap: HTTP 500:\n\tInternal\x1b[31m error"},
		// An edited journal: a forged line, C1 and bidi controls in every
		// field are shown, never obeyed.
		{Run: "r\n1", Time: t2, Address: "end_call.d\u202e", Exchange: "corp\u009b2J", CallID: "D\u2066", Status: "failed\x1b[2J\nApply complete!", Error: "x\u0085y\u202ez"},
	}
	var b strings.Builder
	if err := writeJournalTable(&b, statuses); err != nil {
		t.Fatal(err)
	}
	want := `RUN                        TIME                  ADDRESS              EXCHANGE        CALL ID          STATUS                          ERROR
20261126T073000Z-9f3c2a1b  2026-11-26T07:30:01Z  end_call.fraud["x"]  corp            AAMk=            disconnected                    -
20261126T073000Z-9f3c2a1b  2026-11-26T07:30:02Z  end_call.b           corp            "id with space"  sent, outcome unknown           -
20261126T073000Z-9f3c2a1b  2026-11-26T07:30:02Z  end_call.c           um              C                failed                          soap: HTTP 500: Internal\x1b[31m error
"r\n1"                     2026-11-26T07:30:02Z  "end_call.d\u202e"   "corp\u009b2J"  "D\u2066"        failed\x1b[2J\nApply complete!  x y\u202ez
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}
