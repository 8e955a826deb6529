package exchsim

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadCalls(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    []Call
		wantErr string // substring; "" means success
	}{
		"valid": {
			in:   `{"calls":[{"id":"a","state":"Connected"},{"id":"b","state":"Disconnected","cause":"NoAnswer"}]}`,
			want: []Call{{ID: "a", State: "Connected"}, {ID: "b", State: "Disconnected", Cause: "NoAnswer"}},
		},
		"empty table":      {in: `{"calls":[]}`, want: []Call{}},
		"unknown state":    {in: `{"calls":[{"id":"a","state":"Ringing"}]}`, wantErr: `call "a": unknown state "Ringing"`},
		"lower-case state": {in: `{"calls":[{"id":"a","state":"connected"}]}`, wantErr: `unknown state "connected"`},
		"unknown cause":    {in: `{"calls":[{"id":"a","state":"Disconnected","cause":"Busy"}]}`, wantErr: `unknown cause "Busy"`},
		"cause while live": {in: `{"calls":[{"id":"a","state":"Connected","cause":"Other"}]}`, wantErr: "only valid for Disconnected"},
		"duplicate id":     {in: `{"calls":[{"id":"a","state":"Idle"},{"id":"a","state":"Idle"}]}`, wantErr: `duplicate call id "a"`},
		"empty id":         {in: `{"calls":[{"id":"","state":"Idle"}]}`, wantErr: "empty id"},
		"unknown field":    {in: `{"calls":[{"id":"a","status":"Connected"}]}`, wantErr: `unknown field "status"`},
		"not json":         {in: `calls: []`, wantErr: "reading calls"},
		"trailing data":    {in: `{"calls":[]} {}`, wantErr: "trailing data"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := LoadCalls(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExampleCallsFile(t *testing.T) {
	f, err := os.Open("testdata/calls.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	calls, err := LoadCalls(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 4 {
		t.Errorf("%d calls, want 4", len(calls))
	}
}

func TestCallTableAPI(t *testing.T) {
	s, err := NewUnstartedServer(Options{Calls: []Call{{ID: "b", State: "Connected"}, {ID: "a", State: "Idle"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddCall(Call{ID: "c", State: "Connecting"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddCall(Call{ID: "a", State: "Disconnected", Cause: "Other"}); err != nil { // replaces
		t.Fatal(err)
	}
	want := []Call{{ID: "a", State: "Disconnected", Cause: "Other"}, {ID: "b", State: "Connected"}, {ID: "c", State: "Connecting"}}
	if diff := cmp.Diff(want, s.Calls()); diff != "" {
		t.Errorf("Calls() (-want +got):\n%s", diff)
	}
	if err := s.AddCall(Call{ID: "d", State: "Bogus"}); err == nil {
		t.Error("AddCall accepted an unknown state")
	}
	if err := s.SetCalls([]Call{{ID: "x", State: "Idle"}, {ID: "x", State: "Idle"}}); err == nil {
		t.Error("SetCalls accepted duplicate ids")
	}
	if err := s.SetCalls([]Call{{ID: "x", State: "Idle"}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Call("a"); ok {
		t.Error("SetCalls kept an old call")
	}
	if c, ok := s.Call("x"); !ok || c.State != "Idle" {
		t.Errorf("Call(x) = %+v, %v", c, ok)
	}
}
