package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestCredentialHints checks what the credential and dialect diagnostics
// tell the user to do, beyond the summaries the fixtures check.
func TestCredentialHints(t *testing.T) {
	tests := map[string]struct {
		src        string
		wantDetail string
	}{
		"backslash eaten by an escape": {
			src:        "exchange \"c\" {\n  url = \"https://a.example/EWS/Exchange.asmx\"\n  auth \"ntlm\" {\n    username = \"CORP\\alice\"\n    password = \"x\"\n  }\n}\n",
			wantDetail: `double it: "CORP\\alice"`,
		},
		"newline from an escape": {
			src:        "exchange \"c\" {\n  url = \"https://a.example/EWS/Exchange.asmx\"\n  auth \"ntlm\" {\n    username = \"CORP\\nancy\"\n    password = env(\"P\")\n  }\n}\n",
			wantDetail: `"CORP\\nancy"`,
		},
		"dialect in the wrong case and misspelt": {
			src:        "exchange \"c\" {\n  url = \"https://a.example/EWS/Exchange.asmx\"\n  dialect = \"EWSS\"\n}\n",
			wantDetail: `Did you mean "ews"?`,
		},
		"password from an unset environment variable": {
			src:        "exchange \"c\" {\n  url = \"https://a.example/EWS/Exchange.asmx\"\n  auth \"basic\" {\n    username = \"u\"\n    password = env(\"EWS_PW\")\n  }\n}\n",
			wantDetail: "the environment variable EWS_PW is unset or empty",
		},
		"password from an empty variable": {
			src:        "variable \"pw\" {\n  default = \"\"\n}\nexchange \"c\" {\n  url = \"https://a.example/EWS/Exchange.asmx\"\n  auth \"basic\" {\n    username = \"u\"\n    password = var.pw\n  }\n}\n",
			wantDetail: "var.pw is empty",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{"main.hcl": {Data: []byte(tt.src)}}
			_, diags := NewLoader().LoadFS(fsys, ".", LoadOptions{Environ: []string{"P=pw"}})
			for _, d := range diags {
				if strings.Contains(d.Detail, tt.wantDetail) {
					return
				}
			}
			t.Errorf("no diagnostic detail contains %q:\n%s", tt.wantDetail, renderDiags(diags))
		})
	}
}

// TestDialectCaseInsensitive checks that "EWS" loads as the ews dialect.
func TestDialectCaseInsensitive(t *testing.T) {
	src := "exchange \"c\" {\n  url = \"https://a.example/EWS/Exchange.asmx\"\n  dialect = \"EWS\"\n}\n"
	pol, diags := NewLoader().LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(src)}}, ".", LoadOptions{})
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics:\n%s", renderDiags(diags))
	}
	if got := pol.Exchanges["c"].Dialect; got != "ews" {
		t.Errorf("dialect %q, want \"ews\"", got)
	}
}
