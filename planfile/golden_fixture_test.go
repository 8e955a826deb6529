package planfile

import (
	"time"

	"github.com/callctl/callctl/reconcile"
)

// goldenFile is the plan stored in testdata/plan-v1.json: every field of
// format version 1 set.
func goldenFile() *File {
	in := Inputs{
		Sources:        map[string]string{"main.hcl": Hash([]byte("main")), "incident.vars": Hash([]byte("vars"))},
		Salt:           "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		Variables:      map[string]string{"ids": "5a1d", "ticket": "7e57"},
		Exchanges:      map[string]string{"corp": "c0de"},
		VarFiles:       []string{"incident.vars"},
		Vars:           []string{"ticket=INC-1"},
		Targets:        []string{"end_call.stuck"},
		Excludes:       []string{`end_call.stuck["c-9"]`},
		MaxDisconnects: -1,
	}
	in.fingerprintV1()
	at := time.Date(2026, 11, 26, 7, 0, 1, 0, time.UTC)
	return &File{
		FormatVersion:  "1",
		CallctlVersion: "0.9.0",
		CreatedAt:      time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC),
		Inputs:         in,
		Plan: &reconcile.Plan{
			CreatedAt: time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC),
			Changes: []*reconcile.Change{
				{Address: `end_call.stuck["c-1"]`, Exchange: "corp", CallID: "c-1", Reason: "stuck bridge", State: "Connected", Cause: "None", Action: reconcile.ActionDisconnect, OnlyInStates: []string{"Connected", "Alerted"}, ObservedAt: at},
				{Address: `end_call.stuck["c-2"]`, Exchange: "corp", CallID: "c-2", State: "Disconnected", Cause: "None", Action: reconcile.ActionNone, ObservedAt: at},
				{Address: `end_call.stuck["c-3"]`, Exchange: "corp", CallID: "c-3", Action: reconcile.ActionNotFound, ObservedAt: at},
				{Address: `end_call.stuck["c-4"]`, Exchange: "corp", CallID: "c-4", State: "Ringing", Action: reconcile.ActionLeaveAlone, OnlyInStates: []string{"Connected"}, ObservedAt: at},
			},
		},
	}
}

// testKey is the key testdata/plan-v2.json is signed with.
const testKey = "callctl-test-key-0123456789abcdef0123456789abcdef"

// goldenFileV2 is the plan stored in testdata/plan-v2.json: every field
// of format version 2 set, signed with testKey.
func goldenFileV2() *File {
	f := goldenFile()
	f.FormatVersion = FormatVersion
	f.PlanTimestamp = time.Date(2026, 11, 26, 6, 59, 59, 0, time.UTC)
	f.Inputs.MaxDisconnects = 5
	f.Inputs.Fingerprint()
	f.DataSources = []DataSnapshot{{Address: "data.inventory.dialer", Records: 2, Snapshot: []byte("{\"call_id\":\"c-1\"}\n{\"call_id\":\"c-2\",\"note\":\"é \\\"q\\\"\"}\n")}}
	return f
}
