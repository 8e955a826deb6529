package redact

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestMask(t *testing.T) {
	var s Secrets
	s.Add("HUNTER2PW", "a b&c=d", "x\x1by!", "abc")
	tests := map[string]struct{ in, want string }{
		"plain":          {"curl -s -u svc:HUNTER2PW https://x", "curl -s -u svc:(sensitive value) https://x"},
		"twice":          {"HUNTER2PW HUNTER2PW", "(sensitive value) (sensitive value)"},
		"query escaped":  {"?k=a+b%26c%3Dd", "?k=(sensitive value)"},
		"path escaped":   {"/a%20b&c=d/", "/(sensitive value)/"},
		"go quoted":      {`"x\x1by!"`, `"(sensitive value)"`},
		"json quoted":    {`"x\u001by!"`, `"(sensitive value)"`},
		"too short":      {"abc abcd", "abc abcd"},
		"nothing secret": {"hello", "hello"},
	}
	for name, tt := range tests {
		if got := s.Mask(tt.in); got != tt.want {
			t.Errorf("%s: Mask(%q) = %q, want %q", name, tt.in, got, tt.want)
		}
	}
	var nilSecrets *Secrets
	if got := nilSecrets.Mask("HUNTER2PW"); got != "HUNTER2PW" {
		t.Errorf("nil Secrets masked %q", got)
	}
}

// A value that holds another is masked whole, not left half shown.
func TestMaskLongestFirst(t *testing.T) {
	var s Secrets
	s.Add("pass", "password123")
	if got := s.Mask("password123"); strings.Contains(got, "123") {
		t.Errorf("Mask = %q: the longer secret was cut by the shorter", got)
	}
}

func TestDiagnostics(t *testing.T) {
	var s Secrets
	s.Add("S3CRETPIN9")
	clean := &hcl.Diagnostic{Summary: "Fine", Detail: "nothing here"}
	leaky := &hcl.Diagnostic{Summary: "Bad S3CRETPIN9", Detail: `"S3CRETPIN9" is not a state`}
	in := hcl.Diagnostics{clean, leaky}
	out := s.Diagnostics(in)
	if out[0] != clean {
		t.Error("a clean diagnostic was copied")
	}
	if out[1].Summary != "Bad (sensitive value)" || out[1].Detail != `"(sensitive value)" is not a state` {
		t.Errorf("masked = %q / %q", out[1].Summary, out[1].Detail)
	}
	if leaky.Summary != "Bad S3CRETPIN9" {
		t.Error("the input diagnostic was changed in place")
	}
}
