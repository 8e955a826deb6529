package config

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
)

// TestSensitiveValuesStaySensitive evaluates a sensitive variable through
// functions and operators and checks that neither the diagnostics'
// details nor HCL's rendering of them (with its "with var.pw as" lines)
// show the value: for a variable declared sensitive, and for one that is
// a secret because a password reads it.
func TestSensitiveValuesStaySensitive(t *testing.T) {
	const secret = "Zq7!hunter2-SECRETPW"
	tests := map[string]struct{ attr, expr string }{
		"base64decode": {"password", `base64decode(var.pw)`},
		"jsondecode":   {"password", `jsondecode(var.pw)`},
		"regex":        {"password", `regex("^x", var.pw)`},
		"file":         {"password", `file(var.pw)`},
		"plus":         {"password", `var.pw + 1`},
		"replace":      {"password", `replace(var.pw, "/(/", "x")`},
		"url":          {"url", `"${var.pw}"`},
	}
	decls := map[string]string{"declared": "sensitive = true", "read by a password": ""}
	for name, tt := range tests {
		for declName, decl := range decls {
			t.Run(name+"/"+declName, func(t *testing.T) {
				exchange := map[string]string{
					"url":      `"https://a.example/EWS/Exchange.asmx"`,
					"password": "var.pw",
				}
				exchange[tt.attr] = tt.expr
				src := fmt.Sprintf("variable \"pw\" {\n  type = string\n  %s\n}\n"+
					"exchange \"c\" {\n  url = %s\n  auth \"basic\" {\n    username = \"u\"\n    password = %s\n  }\n}\n",
					decl, exchange["url"], exchange["password"])
				l := NewLoader()
				_, diags := l.LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(src)}}, ".", LoadOptions{Vars: []string{"pw=" + secret}})
				if !diags.HasErrors() {
					t.Fatalf("the case gives no error:\n%s", renderDiags(diags))
				}
				var buf bytes.Buffer
				_ = hcl.NewDiagnosticTextWriter(&buf, l.Files(), 78, false).WriteDiagnostics(diags)
				for _, leak := range []string{secret, "hunter2", "'Z'"} {
					if strings.Contains(buf.String(), leak) {
						t.Errorf("diagnostics show %q:\n%s", leak, buf.String())
					}
				}
			})
		}
	}
}

// TestSecretVariables checks that a variable feeding a password or token
// is sensitive, whatever its declaration, and that the policy keeps its
// value unmarked for fingerprints.
func TestSecretVariables(t *testing.T) {
	src := `variable "pw" {}
variable "tok" {}
variable "user" {}
exchange "a" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "basic" {
    username = var.user
    password = trimspace(var.pw)
  }
}
exchange "b" {
  url = "https://b.example/EWS/Exchange.asmx"
  auth "bearer" {
    token = var.tok
  }
}
`
	pol, diags := NewLoader().LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(src)}}, ".",
		LoadOptions{Vars: []string{"pw=p", "tok=t", "user=u"}})
	if diags.HasErrors() {
		t.Fatal(renderDiags(diags))
	}
	want := map[string]bool{"pw": true, "tok": true}
	for name := range map[string]bool{"pw": true, "tok": true, "user": true} {
		if pol.Sensitive[name] != want[name] {
			t.Errorf("Sensitive[%q] = %t, want %t", name, pol.Sensitive[name], want[name])
		}
		if pol.Variables[name].IsMarked() {
			t.Errorf("Variables[%q] is marked; a policy's values are plain", name)
		}
	}
	if got := pol.Exchanges["a"].Auth.Credentials["password"]; got != "p" {
		t.Errorf("password %q, want \"p\"", got)
	}
}

// TestSecretLinesHidden checks that every diagnostic whose source would
// quote a line holding a literal secret says to hide its source.
func TestSecretLinesHidden(t *testing.T) {
	src := `exchange "a" {
  url = "http://a.example/EWS/Exchange.asmx"
  auth "bearer" { token = "literal-hunter2" }
}
exchange "b" {
  url = "http://b.example/EWS/Exchange.asmx"
}
`
	_, diags := NewLoader().LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(src)}}, ".", LoadOptions{})
	hidden := 0
	for _, d := range diags {
		_, hides := d.Extra.(SecretInSource)
		if d.Subject != nil && d.Subject.Start.Line == 3 {
			if !hides {
				t.Errorf("%q quotes line 3, which holds the token, without hiding it", d.Summary)
			}
			hidden++
		} else if hides {
			t.Errorf("%q at %s hides a source that holds no secret", d.Summary, d.Subject)
		}
	}
	if hidden < 2 {
		t.Errorf("want the literal-token warning and the plain-HTTP error on line 3, got:\n%s", renderDiags(diags))
	}
}

// TestSensitiveVarFileValueHidden checks that a diagnostic about a
// sensitive variable's value in a variables file does not quote the line.
func TestSensitiveVarFileValueHidden(t *testing.T) {
	fsys := fstest.MapFS{
		"main.hcl": {Data: []byte("variable \"pw\" {\n  type = list(string)\n  sensitive = true\n}\n")},
		"x.vars":   {Data: []byte("pw = \"hunter2\"\n")},
	}
	_, diags := NewLoader().LoadFS(fsys, ".", LoadOptions{VarFiles: []string{"x.vars"}})
	if len(diags) != 1 || diags[0].Summary != "Invalid value for variable" {
		t.Fatalf("want one \"Invalid value for variable\" error, got:\n%s", renderDiags(diags))
	}
	if _, hides := diags[0].Extra.(SecretInSource); !hides {
		t.Error("the diagnostic would quote the line holding the sensitive value")
	}
}
