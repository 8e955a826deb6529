package config

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

const offlinePolicy = `
variable "incident" { type = string }
variable "ids" {
  type    = list(string)
  default = ["a"]
}
variable "pw" {
  type      = string
  sensitive = true
}
exchange "corp" {
  url = "${env("EWS_URL")}/EWS/Exchange.asmx"
  auth "ntlm" {
    username = "CORP\\svc"
    password = var.pw
  }
}
exchange "lon" {
  url = "https://lon.invalid/EWS/Exchange.asmx"
  auth "basic" {
    username = "svc"
    password = env("LON_PASSWORD")
  }
}
end_call "c" {
  for_each = toset(var.ids)
  exchange = exchange.corp
  call_id  = each.value
  reason   = "stuck after ${var.incident}"
}
locals {
  secret_len = length(var.pw)
}
`

func loadOffline(t *testing.T, opts LoadOptions, files map[string]string) (*Policy, hcl.Diagnostics) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys["p/"+name] = &fstest.MapFile{Data: []byte(src)}
	}
	return NewLoader().LoadFS(fsys, "p", opts)
}

func TestOfflineNeedsNoValuesOrSecrets(t *testing.T) {
	files := map[string]string{"main.hcl": offlinePolicy, "x.calltest.hcl": "this is not policy {"}
	// Online, with nothing set: the required variables and secrets fail.
	_, diags := loadOffline(t, LoadOptions{}, files)
	if !diags.HasErrors() {
		t.Fatal("online load without values succeeded")
	}
	pol, diags := loadOffline(t, LoadOptions{Offline: true, UnsetUnknown: true}, files)
	if diags.HasErrors() {
		t.Fatalf("offline load failed: %v", diags)
	}
	if len(pol.Calls) != 1 || pol.Calls[0].CallID != "a" {
		t.Errorf("calls = %v, want the one from the default", pol.Calls)
	}
	if _, ok := pol.Sources["x.calltest.hcl"]; ok {
		t.Error("a test file was read as policy")
	}
	// A known bad value still fails.
	_, diags = loadOffline(t, LoadOptions{Offline: true, UnsetUnknown: true, Vars: []string{`ids="a"`}}, files)
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Invalid value for variable") {
		t.Errorf("a known bad value passed offline: %v", diags)
	}
}

func TestValuesWinAndScopeEvaluates(t *testing.T) {
	files := map[string]string{"main.hcl": offlinePolicy}
	pol, diags := loadOffline(t, LoadOptions{
		Offline:   true,
		KeepScope: true,
		Vars:      []string{`ids=["x"]`},
		Values: map[string]cty.Value{
			"ids":      cty.TupleVal([]cty.Value{cty.StringVal("b"), cty.StringVal("c")}),
			"incident": cty.StringVal("INC-1"),
			"pw":       cty.StringVal("s3cret"),
		},
		ValuesFrom: "the test file",
	}, files)
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	if len(pol.Calls) != 2 {
		t.Fatalf("Values did not win over -var: %d calls", len(pol.Calls))
	}
	for src, want := range map[string]string{
		`var.incident`:          `"INC-1"`,
		`upper(var.incident)`:   `"INC-1"`,
		`local.secret_len`:      "sensitive",
		`var.pw`:                "sensitive",
		`plantimestamp() != ""`: "true",
	} {
		expr, diags := ParseExpression([]byte(src), "<test>")
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		v, diags := pol.Scope.Eval(expr, nil)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", src, diags)
		}
		got := ""
		switch {
		case IsSensitive(v):
			got = "sensitive"
		case v.Type() == cty.String:
			got = `"` + v.AsString() + `"`
		case v.Type() == cty.Bool:
			got = map[bool]string{true: "true", false: "false"}[v.True()]
		}
		if got != want {
			t.Errorf("%s = %s, want %s", src, got, want)
		}
	}
	expr, _ := ParseExpression([]byte("var.incidnet"), "<test>")
	if _, diags := pol.Scope.Eval(expr, nil); !strings.Contains(diags.Error(), `Did you mean "incident"?`) {
		t.Errorf("undeclared variable: %v", diags)
	}
	_, diags = loadOffline(t, LoadOptions{Offline: true, UnsetUnknown: true, Values: map[string]cty.Value{"nope": cty.True}, ValuesFrom: "the test file"}, files)
	if !strings.Contains(diags.Error(), `The test file sets "nope"`) {
		t.Errorf("undeclared value: %v", diags)
	}
}

func TestOfflineDefersUnknownCalls(t *testing.T) {
	files := map[string]string{"main.hcl": `
variable "ids" { type = list(string) }
variable "one" { type = string }
exchange "y" { url = "https://x.invalid/EWS/Exchange.asmx" }
end_call "x" {
  for_each = toset(var.ids)
  exchange = exchange.y
  call_id  = each.value
}
end_call "single" {
  exchange = exchange.y
  call_id  = var.one
}
end_call "known" {
  exchange = exchange.y
  call_id  = "k"
}
`}
	pol, diags := loadOffline(t, LoadOptions{Offline: true, UnsetUnknown: true}, files)
	if diags.HasErrors() {
		t.Fatalf("offline load: %v", diags)
	}
	if len(pol.Calls) != 1 || strings.Join(pol.Deferred, ",") != "end_call.x,end_call.single" {
		t.Errorf("calls %d, deferred %v; want 1 known call and x, single deferred", len(pol.Calls), pol.Deferred)
	}
	// Online, the same policy without values is an error, not deferred.
	if _, diags := loadOffline(t, LoadOptions{}, files); !diags.HasErrors() {
		t.Error("online load without values succeeded")
	}
}

// -var and -var-file apply in command-line order: the later wins.
func TestVarArgsInCommandLineOrder(t *testing.T) {
	files := map[string]string{"main.hcl": `variable "desk" {
  type    = string
  default = "default"
}
`}
	fsys := fstest.MapFS{
		"p/main.hcl": &fstest.MapFile{Data: []byte(files["main.hcl"])},
		"a.vars":     &fstest.MapFile{Data: []byte("desk = \"file\"\n")},
	}
	for name, tc := range map[string]struct {
		args []VarArg
		want string
	}{
		"file last": {[]VarArg{{Value: "desk=cli"}, {File: true, Value: "a.vars"}}, "file"},
		"var last":  {[]VarArg{{File: true, Value: "a.vars"}, {Value: "desk=cli"}}, "cli"},
	} {
		t.Run(name, func(t *testing.T) {
			pol, diags := NewLoader().LoadFS(fsys, "p", LoadOptions{VarArgs: tc.args})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if got := pol.Variables["desk"].AsString(); got != tc.want {
				t.Errorf("desk = %q, want %q", got, tc.want)
			}
		})
	}
}
