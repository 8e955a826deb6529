package views

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/journal"
	"github.com/callctl/callctl/planfile"
	"github.com/callctl/callctl/reconcile"
)

func streams() (*Streams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &Streams{Out: &out, Err: &errOut}, &out, &errOut
}

func TestValidateViews(t *testing.T) {
	warning := hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Deprecated thing"}}
	broken := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Missing call_id"}}
	tests := map[string]struct {
		vt               arguments.ViewType
		diags            hcl.Diagnostics
		wantOut, wantErr string
		wantNotOut       string
	}{
		"human valid":   {vt: arguments.ViewHuman, diags: warning, wantOut: "Success! The policy is valid: 2 calls on 1 exchange."},
		"human invalid": {vt: arguments.ViewHuman, diags: broken, wantErr: "Missing call_id", wantNotOut: "Success!"},
		"json valid":    {vt: arguments.ViewJSON, diags: warning, wantOut: `"valid": true`},
		"json invalid":  {vt: arguments.ViewJSON, diags: broken, wantOut: `"error_count": 1`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, out, errOut := streams()
			if err := NewValidate(tc.vt, NewView(s, true)).Results(tc.diags, 2, 1); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.wantOut) || !strings.Contains(errOut.String(), tc.wantErr) {
				t.Errorf("stdout:\n%s\nstderr:\n%s\nwant %q / %q", out, errOut, tc.wantOut, tc.wantErr)
			}
			if tc.wantNotOut != "" && strings.Contains(out.String(), tc.wantNotOut) {
				t.Errorf("stdout has %q:\n%s", tc.wantNotOut, out)
			}
			if tc.vt == arguments.ViewJSON && !json.Valid(out.Bytes()) {
				t.Errorf("not one JSON document:\n%s", out)
			}
		})
	}
}

func TestShowViews(t *testing.T) {
	at := time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)
	f := &planfile.File{CallctlVersion: "1.2.3", CreatedAt: at, Inputs: planfile.Inputs{PolicyHash: "0123456789abcdef"}, Plan: &reconcile.Plan{CreatedAt: at, Changes: []*reconcile.Change{
		{Address: "end_call.bridge", Exchange: "corp", CallID: "c-1", State: "Connected", Action: reconcile.ActionDisconnect, ObservedAt: at},
	}}}
	// Encoding fixes the digest, which show and the comment print in full.
	if _, err := planfile.Encode(f, nil); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		vt     arguments.ViewType
		format string
		want   string
	}{
		"human":    {arguments.ViewHuman, "", "end_call.bridge"},
		"digest":   {arguments.ViewHuman, "", "\nPlan digest: " + f.Digest() + " (unsigned)\n"},
		"markdown": {arguments.ViewHuman, "markdown", "policy 0123456789ab; plan digest <code>" + f.Digest() + "</code> (unsigned)."},
		"json":     {arguments.ViewJSON, "", `"policy_hash": "0123456789abcdef"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, out, _ := streams()
			if err := NewShow(tc.vt, tc.format, NewView(s, true)).Plan(f); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("stdout lacks %q:\n%s", tc.want, out)
			}
		})
	}
}

func TestShowJournal(t *testing.T) {
	at := time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		statuses []journal.CallStatus
		warn     bool
	}{
		"all answered":              {[]journal.CallStatus{{Run: "r", Time: at, Address: "a", CallID: "1", Status: "disconnected"}}, false},
		"an outcome unknown":        {[]journal.CallStatus{{Run: "r", Time: at, Address: "a", CallID: "1", Status: journal.StatusSentUnknown}}, true},
		"an outcome resolved later": {[]journal.CallStatus{{Run: "r1", Time: at, Address: "a", CallID: "1", Status: journal.StatusResolved, ResolvedBy: "r2", Resolution: "already_ended"}}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, out, _ := streams()
			NewShow(arguments.ViewHuman, "", NewView(s, true)).Journal(tc.statuses)
			if !strings.HasPrefix(out.String(), "RUN ") {
				t.Errorf("no table:\n%s", out)
			}
			if got := strings.Contains(out.String(), "check those calls"); got != tc.warn {
				t.Errorf("warning shown: %v, want %v:\n%s", got, tc.warn, out)
			}
		})
	}
}

func TestConfirm(t *testing.T) {
	tests := map[string]struct {
		vt       arguments.ViewType
		terminal bool
		input    string
		want     bool
		wantErr  bool
	}{
		"yes":             {arguments.ViewHuman, true, "yes\n", true, false},
		"yes, spaced":     {arguments.ViewHuman, true, "  yes \n", true, false},
		"no":              {arguments.ViewHuman, true, "no\n", false, false},
		"end of input":    {arguments.ViewHuman, true, "", false, false},
		"no terminal":     {arguments.ViewHuman, false, "yes\n", false, true},
		"json never asks": {arguments.ViewJSON, true, "yes\n", false, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, out, _ := streams()
			s.In, s.InIsTerminal = strings.NewReader(tc.input), tc.terminal
			ok, diags := NewOperation(tc.vt, NewView(s, true)).Confirm(context.Background(), 2)
			if ok != tc.want || diags.HasErrors() != tc.wantErr {
				t.Errorf("Confirm = %v, %v; want %v, error %v", ok, diags, tc.want, tc.wantErr)
			}
			if tc.vt == arguments.ViewHuman && tc.terminal && !strings.Contains(out.String(), "Do you want to disconnect 2 calls?") {
				t.Errorf("no question asked:\n%s", out)
			}
		})
	}
}

func TestRootAndFmt(t *testing.T) {
	s, out, errOut := streams()
	root := NewRoot(NewView(s, true))
	root.Version("1.2.3")
	root.Help("usage text\n")
	root.UsageError(`unknown command "pln".`, "usage text\n")
	root.Warning("logging is off")
	f := NewFmt(NewView(s, true))
	f.Listed("main.hcl")
	f.Diff("main.hcl", []byte("a = 1\n"), []byte("a  = 1\n"))
	for _, want := range []string{"callctl v1.2.3\n", "usage text\n", "main.hcl\n", "+a  = 1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if want := "Error: unknown command \"pln\".\n\nusage text\nWarning: logging is off\n"; errOut.String() != want {
		t.Errorf("stderr = %q, want %q", errOut, want)
	}
}
