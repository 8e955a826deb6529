package config

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/inventory"
)

// standingPolicy ends every inventory record's call, keyed by call_id,
// with a reason built from fields some records lack.
const standingPolicy = `
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

data "inventory" "calls" {
  file = "inv/calls.%s"
}

end_call "all" {
  for_each = { for c in data.inventory.calls.records : tostring(c.call_id) => c }
  exchange = exchange.corp
  call_id  = each.key
  reason   = "${try(coalesce(each.value.campaign, "-"), "absent")}|${try(coalesce(each.value.agent, "null"), "absent")}|${try(coalesce(tostring(each.value.n), "?"), "absent")}"
}
`

func loadStanding(t *testing.T, ext, inv string, opts LoadOptions) (*Policy, hcl.Diagnostics) {
	t.Helper()
	fsys := fstest.MapFS{
		"main.hcl":         {Data: []byte(strings.ReplaceAll(standingPolicy, "%s", ext))},
		"inv/calls." + ext: {Data: []byte(inv)},
	}
	return NewLoader().LoadFS(fsys, ".", opts)
}

// callReasons maps call id to reason.
func callReasons(pol *Policy) map[string]string {
	m := map[string]string{}
	for _, c := range pol.Calls {
		m[c.CallID] = c.Reason
	}
	return m
}

func TestInventoryRecords(t *testing.T) {
	tests := map[string]struct {
		ext, inv string
		want     map[string]string
	}{
		"jsonl with differing fields": {
			ext: "jsonl",
			inv: `{"call_id": "a", "campaign": "outage", "agent": "ivr", "n": 1}` + "\n\n" +
				`{"call_id": "b"}` + "\n" +
				`{"call_id": "c", "n": "seven", "agent": null}` + "\n",
			want: map[string]string{"a": "outage|ivr|1", "b": "-|null|?", "c": "-|null|seven"},
		},
		"large numbers and unicode": {
			ext:  "jsonl",
			inv:  `{"call_id": 12345678901234567890123, "campaign": "Zürich ☎", "n": 1.5e3}` + "\n",
			want: map[string]string{"12345678901234567890123": "Zürich ☎|absent|1500"},
		},
		"json array": {
			ext:  "json",
			inv:  `[{"call_id": "a", "n": 2}, {"call_id": "b", "campaign": "x"}]`,
			want: map[string]string{"a": "-|absent|2", "b": "x|absent|?"},
		},
		"csv with embedded newlines and quotes": {
			ext:  "csv",
			inv:  "call_id,campaign,agent\r\nid-1,\"two\nlines, \"\"quoted\"\"\",\n",
			want: map[string]string{"id-1": "two\nlines, \"quoted\"||absent"},
		},
		"empty jsonl": {ext: "jsonl", inv: "", want: map[string]string{}},
		"blank lines": {ext: "jsonl", inv: "\n  \n", want: map[string]string{}},
		"empty array": {ext: "json", inv: "[]", want: map[string]string{}},
		"header only": {ext: "csv", inv: "call_id,campaign\n", want: map[string]string{}},
		"empty csv":   {ext: "csv", inv: "", want: map[string]string{}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			pol, diags := loadStanding(t, tt.ext, tt.inv, LoadOptions{})
			if diags.HasErrors() {
				t.Fatalf("unexpected errors: %s", diags.Error())
			}
			if diff := cmp.Diff(tt.want, callReasons(pol)); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if got := pol.DataSources[0].Records; got != len(tt.want) {
				t.Errorf("Records = %d, want %d", got, len(tt.want))
			}
		})
	}
}

// TestInventoryBadInput checks that each kind of bad input is an error
// naming the source and line, and that no call comes of it.
func TestInventoryBadInput(t *testing.T) {
	long := `{"call_id": "` + strings.Repeat("x", 200) + `"}`
	tests := map[string]struct {
		ext, inv string
		limits   inventory.Limits
		want     string
	}{
		"not an object":      {ext: "jsonl", inv: `{"call_id": "a"}` + "\n" + `"b"`, want: "inv/calls.jsonl:2: not a JSON object"},
		"array line":         {ext: "jsonl", inv: `[1]`, want: "inv/calls.jsonl:1: not a JSON object"},
		"null line":          {ext: "jsonl", inv: `null`, want: "inv/calls.jsonl:1: not a JSON object"},
		"broken json":        {ext: "jsonl", inv: "{}\n{}\n{\"call_id\": \"a\"", want: "inv/calls.jsonl:3: invalid JSON"},
		"two objects a line": {ext: "jsonl", inv: `{"a":1} {"b":2}`, want: "inv/calls.jsonl:1: text after the JSON object"},
		"invalid utf-8":      {ext: "jsonl", inv: "{\"call_id\": \"\xff\"}", want: "inv/calls.jsonl:1: not valid UTF-8"},
		"array not object":   {ext: "json", inv: "[\n{\"call_id\": \"a\"},\n3\n]", want: "inv/calls.json:3: not a JSON object"},
		"object not array":   {ext: "json", inv: `{"call_id": "a"}`, want: "inv/calls.json:1: not a JSON array"},
		"trailing text":      {ext: "json", inv: "[]\nx", want: "inv/calls.json:2: text after the JSON array"},
		"csv field count":    {ext: "csv", inv: "call_id,a\nx,1\ny\n", want: "inv/calls.csv:3: invalid CSV: this record has a different number of fields"},
		"csv bare quote":     {ext: "csv", inv: "call_id\nx\"y\n", want: "inv/calls.csv:2: invalid CSV"},
		"csv empty header":   {ext: "csv", inv: "call_id,\nx,1\n", want: "inv/calls.csv:1: column 2 of the header row is empty"},
		"csv repeat header":  {ext: "csv", inv: "id,id\nx,1\n", want: `inv/calls.csv:1: the header row names column "id" twice`},
		"line too long": {
			ext: "jsonl", inv: `{"call_id": "a"}` + "\n" + long,
			limits: inventory.Limits{MaxLineBytes: 100, MaxBytes: 1 << 20, MaxRecords: 10},
			want:   "inv/calls.jsonl:2: line longer than 100 bytes",
		},
		"too many records": {
			ext: "jsonl", inv: "{}\n{}\n{}\n",
			limits: inventory.Limits{MaxLineBytes: 100, MaxBytes: 1 << 20, MaxRecords: 2},
			want:   "inv/calls.jsonl:3: more than 2 records",
		},
		"too many csv records": {
			ext: "csv", inv: "a\n1\n2\n3\n",
			limits: inventory.Limits{MaxLineBytes: 100, MaxBytes: 1 << 20, MaxRecords: 2},
			want:   "inv/calls.csv:4: more than 2 records",
		},
		"too large": {
			ext: "jsonl", inv: long,
			limits: inventory.Limits{MaxLineBytes: 1000, MaxBytes: 100, MaxRecords: 10},
			want:   "holds 215 bytes, more than the 100 an inventory may hold",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			pol, diags := loadStanding(t, tt.ext, tt.inv, LoadOptions{Data: DataOptions{Limits: tt.limits}})
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			if len(diags) != 1 {
				t.Errorf("want one diagnostic, got %d: %s", len(diags), diags.Error())
			}
			if !strings.Contains(diags[0].Detail, tt.want) {
				t.Errorf("detail %q does not contain %q", diags[0].Detail, tt.want)
			}
			checkDiagStyle(t, diags[0])
			if len(pol.Calls) != 0 {
				t.Errorf("got %d calls from a bad inventory", len(pol.Calls))
			}
		})
	}
}

// TestDataSkip: validate's mode reads no inventory, even a missing one,
// and still reports mistakes in the expressions over it.
func TestDataSkip(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	writeFile(t, dir, "main.hcl", `
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}
data "inventory" "cmd" {
  command = ["sh", "-c", "touch ran"]
}
data "inventory" "file" {
  file = "not-there.jsonl"
}
end_call "x" {
  for_each = { for c in data.inventory.cmd.records : c.id => c if lower(c.site) == "lon" }
  exchange = exchange.corp
  call_id  = each.key
}
end_call "y" {
  for_each = { for c in data.inventory.file.records : c.id => c }
  exchange = exchange.corp
  call_id  = upper(each.value.id)
  reason   = "site ${lower(each.value.site)}"
}
`)
	pol, diags := NewLoader().Load(dir, LoadOptions{Data: DataOptions{Mode: DataSkip}})
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %s", diags.Error())
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("DataSkip ran the command")
	}
	if len(pol.Calls) != 0 || len(pol.DataSources) != 2 || pol.DataSources[0].Read {
		t.Errorf("calls %d, data sources %+v", len(pol.Calls), pol.DataSources)
	}

	// Mistakes in the expressions over the records are still found.
	writeFile(t, dir, "more.hcl", `
end_call "z" {
  for_each = { for c in data.inventory.cmds.records : c.id => c }
  exchange = exchange.corp
  call_id  = each.key
}
end_call "body" {
  for_each = { for c in data.inventory.cmd.records : c.id => c }
  exchange = each.valeu.site == "lon" ? exchange.lon : exchange.corp
  call_id  = upper(each.value.id, 1)
  reason   = local.why
}
`)
	_, diags = NewLoader().Load(dir, LoadOptions{Data: DataOptions{Mode: DataSkip}})
	var got []string
	for _, d := range diags {
		got = append(got, d.Summary)
	}
	want := []string{
		"Reference to undeclared exchange",    // exchange.lon
		`Invalid "each" attribute`,            // each.valeu
		"Too many function arguments",         // upper(x, 1)
		"Reference to undeclared local value", // local.why
		"Reference to undeclared data source", // data.inventory.cmds
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics under DataSkip (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("DataSkip ran the command")
	}
}

// TestDataSnapshot: records from a saved plan win over the file, which
// may have moved on, and the inventory is not among the policy's sources.
func TestDataSnapshot(t *testing.T) {
	pol, diags := loadStanding(t, "csv", "call_id,campaign\nnew,x\n", LoadOptions{Data: DataOptions{
		Snapshots: map[string][]byte{"data.inventory.calls": []byte(`{"call_id":"old","campaign":"y"}` + "\n")},
	}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff(map[string]string{"old": "y|absent|absent"}, callReasons(pol)); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	ds := pol.DataSources[0]
	if !ds.FromSnapshot || ds.Records != 1 {
		t.Errorf("data source %+v", ds)
	}
	for name := range pol.Sources {
		if strings.Contains(name, "calls.csv") {
			t.Errorf("inventory %q is among the policy sources", name)
		}
	}

	// A CSV read gives a JSON-lines snapshot that reads back the same.
	pol, _ = loadStanding(t, "csv", "call_id,campaign\nid-1,\"a\nb\"\n", LoadOptions{})
	snap := pol.DataSources[0].Snapshot
	again, diags := loadStanding(t, "csv", "call_id\n", LoadOptions{Data: DataOptions{Snapshots: map[string][]byte{"data.inventory.calls": snap}}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff(callReasons(pol), callReasons(again)); diff != "" {
		t.Errorf("snapshot round trip (-read +snapshot):\n%s", diff)
	}
}

func TestInventorySymlinkEscape(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside, "calls.jsonl", `{"call_id": "secret"}`)
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", strings.ReplaceAll(standingPolicy, "%s", "jsonl"))
	if err := os.Mkdir(filepath.Join(dir, "inv"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "calls.jsonl"), filepath.Join(dir, "inv", "calls.jsonl")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	pol, diags := NewLoader().Load(dir, LoadOptions{})
	if !diags.HasErrors() || diags[0].Summary != "Inventory outside the policy directory" {
		t.Fatalf("diags = %s", diags.Error())
	}
	if len(pol.Calls) != 0 {
		t.Error("calls from an inventory outside the policy directory")
	}

	// A link that stays inside the directory is fine.
	writeFile(t, dir, "real.jsonl", `{"call_id": "inside"}`)
	os.Remove(filepath.Join(dir, "inv", "calls.jsonl"))
	if err := os.Symlink("../real.jsonl", filepath.Join(dir, "inv", "calls.jsonl")); err != nil {
		t.Fatal(err)
	}
	pol, diags = NewLoader().Load(dir, LoadOptions{})
	if diags.HasErrors() || len(pol.Calls) != 1 {
		t.Fatalf("calls %d, diags %s", len(pol.Calls), diags.Error())
	}
}

func TestInventoryCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the test commands are shell scripts")
	}
	tests := map[string]struct {
		argv    string // HCL list
		timeout string
		want    map[string]string
		err     []string // fragments of the error detail
		notErr  []string
	}{
		"json lines": {
			argv: `["sh", "-c", "printf '{\"call_id\":\"a\"}\\n{\"call_id\":\"b\",\"campaign\":\"%s\"}\\n' \"$CAMPAIGN\""]
env = ["CAMPAIGN"]`,
			want: map[string]string{"a": "-|absent|absent", "b": "outage|absent|absent"},
		},
		"runs in the policy directory": {
			argv: `["./list-calls"]`,
			want: map[string]string{"from-script": "absent|absent|absent"},
		},
		"no shell": {
			argv: `["echo", "$(touch pwned)", ";", "{}"]`,
			err:  []string{"echo $(touch pwned) ; {}:1: invalid JSON"},
		},
		"exit status and stderr tail, not the environment": {
			argv:   `["sh", "-c", "echo starting >&2; echo 'cannot reach dialer db' >&2; exit 3"]`,
			err:    []string{"exit status 3", "cannot reach dialer db", "data.inventory.calls: sh -c"},
			notErr: []string{"s3cret"},
		},
		"timeout kills the process group": {
			argv:    `["sh", "-c", "sleep 30 & echo $! > child.pid; echo 'still going' >&2; wait"]`,
			timeout: "300ms",
			err:     []string{"did not finish within 300ms", "still going"},
		},
		"a grandchild left holding the output is killed": {
			argv: `["sh", "-c", "sleep 30 & echo $! > child.pid; echo '{\"call_id\":\"a\"}'"]`,
			want: map[string]string{"a": "absent|absent|absent"},
		},
		"bad output": {
			argv: `["sh", "-c", "echo '{}'; echo 3"]`,
			err:  []string{"sh -c echo '{}'; echo 3:2: not a JSON object"},
		},
		"missing program": {
			argv: `["./no-such-program"]`,
			err:  []string{"cannot run"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			timeout := ""
			if tt.timeout != "" {
				timeout = "timeout = " + strconv.Quote(tt.timeout)
			}
			writeFile(t, dir, "main.hcl", strings.Replace(strings.ReplaceAll(standingPolicy, "%s", "x"),
				`file = "inv/calls.x"`, "command = "+tt.argv+"\n"+timeout, 1))
			writeFile(t, dir, "list-calls", "#!/bin/sh\necho '{\"call_id\": \"from-script\"}'\n")
			if err := os.Chmod(filepath.Join(dir, "list-calls"), 0o755); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			pol, diags := NewLoader().Load(dir, LoadOptions{
				Environ: []string{"CAMPAIGN=outage", "PATH=" + os.Getenv("PATH"), "PASSWORD=s3cret"},
				Data:    DataOptions{Context: ctx},
			})
			if tt.err == nil {
				if diags.HasErrors() {
					t.Fatal(diags.Error())
				}
				if diff := cmp.Diff(tt.want, callReasons(pol)); diff != "" {
					t.Errorf("calls (-want +got):\n%s", diff)
				}
				if pidText, err := os.ReadFile(filepath.Join(dir, "child.pid")); err == nil {
					waitGone(t, strings.TrimSpace(string(pidText)))
				}
				return
			}
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			for _, frag := range tt.err {
				if !strings.Contains(diags[0].Detail, frag) {
					t.Errorf("detail %q does not contain %q", diags[0].Detail, frag)
				}
			}
			for _, frag := range tt.notErr {
				if strings.Contains(diags[0].Detail, frag) {
					t.Errorf("detail %q contains %q", diags[0].Detail, frag)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
				t.Error("the command ran through a shell")
			}
			if pidText, err := os.ReadFile(filepath.Join(dir, "child.pid")); err == nil {
				waitGone(t, strings.TrimSpace(string(pidText)))
			}
		})
	}
}

// waitGone waits until process pid has exited (gone or a zombie); it
// fails the test if the process still runs after ten seconds, far longer
// than a killed process takes.
func waitGone(t *testing.T, pid string) {
	t.Helper()
	for range 200 {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return
		}
		if f := strings.Fields(string(stat)); len(f) > 2 && f[2] == "Z" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("the command's child %s outlived its timeout", pid)
}

func writeFile(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSavedPlanReplay: loading with a plan's snapshots and plan timestamp
// gives the calls the plan was made from, even after the inventory and
// the clock have moved on; a load without them does not.
func TestSavedPlanReplay(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../examples/standing/main.hcl")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "main.hcl", string(src))
	if err := os.Mkdir(filepath.Join(dir, "exports"), 0o755); err != nil {
		t.Fatal(err)
	}
	inv := func(lines ...string) { writeFile(t, dir, "exports/dialer-calls.jsonl", strings.Join(lines, "\n")) }
	rec := func(id, at string) string {
		return `{"call_id": "` + id + `", "placed_at": "` + at + `", "campaign": "outage-notify", "dialled": "+441632960101", "site": "corp"}`
	}
	ids := func(pol *Policy) []string {
		var out []string
		for _, c := range pol.Calls {
			out = append(out, c.CallID)
		}
		return out
	}
	env := []string{"CALLCTL_PASSWORD=x"}

	inv(rec("a", "2026-06-01T11:00:00Z"), rec("b", "2026-06-01T11:45:00Z"))
	planned, diags := NewLoader().Load(dir, LoadOptions{Environ: env, PlanTimestamp: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	snaps := map[string][]byte{}
	for _, ds := range planned.DataSources {
		snaps[ds.Address] = ds.Snapshot
	}

	// The dialer moved on: a is gone, c is new, and b is now old enough.
	inv(rec("b", "2026-06-01T11:45:00Z"), rec("c", "2026-06-01T11:50:00Z"))
	later := LoadOptions{Environ: env, PlanTimestamp: time.Date(2026, 6, 1, 13, 0, 0, 0, time.UTC)}
	fresh, _ := NewLoader().Load(dir, later)
	later.PlanTimestamp = planned.PlanTimestamp
	later.Data.Snapshots = snaps
	replayed, diags := NewLoader().Load(dir, later)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff([]string{"a"}, ids(replayed)); diff != "" {
		t.Errorf("replayed calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"b", "c"}, ids(fresh)); diff != "" {
		t.Errorf("fresh calls (-want +got):\n%s", diff)
	}
	if !maps.EqualFunc(planned.Sources, replayed.Sources, bytes.Equal) {
		t.Error("the inventory changing changed the policy's sources, which would make a saved plan stale")
	}
}

// TestDataNoSnapshots: a caller that will not save a plan gets the same
// calls and record counts, and no snapshot held.
func TestDataNoSnapshots(t *testing.T) {
	tests := map[string]struct{ ext, inv string }{
		"jsonl": {ext: "jsonl", inv: `{"call_id": "a", "campaign": "outage", "n": 1}` + "\n" + `{"call_id": "b", "agent": "ivr"}` + "\n"},
		"csv":   {ext: "csv", inv: "call_id,campaign\na,outage\nb,\n"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			kept, diags := loadStanding(t, tt.ext, tt.inv, LoadOptions{})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if kept.DataSources[0].Snapshot == nil {
				t.Fatal("by default a data source keeps no snapshot, want one")
			}
			pol, diags := loadStanding(t, tt.ext, tt.inv, LoadOptions{Data: DataOptions{NoSnapshots: true}})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if diff := cmp.Diff(callReasons(kept), callReasons(pol)); diff != "" {
				t.Errorf("calls (-with snapshot +without):\n%s", diff)
			}
			ds := pol.DataSources[0]
			if ds.Snapshot != nil {
				t.Errorf("NoSnapshots kept a %d-byte snapshot", len(ds.Snapshot))
			}
			if ds.Records != 2 || !ds.Read {
				t.Errorf("data source read %v, %d records; want read, 2", ds.Read, ds.Records)
			}
		})
	}
}
