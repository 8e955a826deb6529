package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/callctl/callctl/authkind"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

var ignoreRanges = cmpopts.IgnoreTypes(hcl.Range{}, &hcl.Range{})

func loadFixture(t *testing.T, name string, opts LoadOptions) *Policy {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "valid-files", name))
	if err != nil {
		t.Fatal(err)
	}
	pol, diags := NewLoader().LoadFS(fstest.MapFS{name: {Data: data}}, ".", opts)
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics:\n%s", renderDiags(diags))
	}
	return pol
}

// TestLoadDecodes checks what a clean policy decodes to, field by field.
func TestLoadDecodes(t *testing.T) {
	pol := loadFixture(t, "basic.hcl", LoadOptions{Environ: []string{"CALLCTL_PASSWORD=from-env"}})

	wantExchanges := map[string]*Exchange{
		"corp": {
			Name: "corp", URL: "https://mail.corp.example/EWS/Exchange.asmx", Dialect: "ews",
			ServerVersion: "Exchange2010_SP2",
			Auth:          &Auth{Kind: "ntlm", Credentials: authkind.Credentials{"username": `CORP\svc-callctl`, "password": "from-env"}},
		},
		"edge": {
			Name: "edge", URL: "https://edge.corp.example/EWS/Exchange.asmx", Dialect: "ews",
			ServerVersion: "Exchange2010",
			Auth:          &Auth{Kind: "basic", Credentials: authkind.Credentials{"username": "svc", "password": "not-a-secret"}},
		},
	}
	if diff := cmp.Diff(wantExchanges, pol.Exchanges, ignoreRanges); diff != "" {
		t.Errorf("Exchanges (-want +got):\n%s", diff)
	}

	wantCalls := []*Call{
		{Address: "end_call.bridge_4821", Name: "bridge_4821", Exchange: "corp", CallID: "OWVl4NWb3N29t",
			Reason: "stuck bridge, INC-4821", OnlyInStates: []string{"Connected", "Alerted"}},
		{Address: "end_call.bridge_4821_edge", Name: "bridge_4821_edge", Exchange: "edge", CallID: "OWVl4NWb3N29t"},
		{Address: `end_call.stuck["OWVl4NWb3N29t-a"]`, Name: "stuck", Key: "OWVl4NWb3N29t-a", Exchange: "corp",
			CallID: "OWVl4NWb3N29t-a", Reason: "stuck call OWVl4NWb3N29t-a"},
		{Address: `end_call.stuck["OWVl4NWb3N29t-b"]`, Name: "stuck", Key: "OWVl4NWb3N29t-b", Exchange: "corp",
			CallID: "OWVl4NWb3N29t-b", Reason: "stuck call OWVl4NWb3N29t-b"},
	}
	if diff := cmp.Diff(wantCalls, pol.Calls, ignoreRanges); diff != "" {
		t.Errorf("Calls (-want +got):\n%s", diff)
	}

	wantProtects := []*Protect{{Name: "emergency", CallIDs: []string{"OWVl4NWb3N29t-911"}, Patterns: []string{"911-*"}}}
	if diff := cmp.Diff(wantProtects, pol.Protects, ignoreRanges); diff != "" {
		t.Errorf("Protects (-want +got):\n%s", diff)
	}
	if !pol.Sensitive["password"] || pol.Sensitive["stuck_calls"] {
		t.Errorf("Sensitive = %v, want only password", pol.Sensitive)
	}

	// Ranges point at the source, for plan-time diagnostics.
	c := pol.Calls[0]
	if c.DeclRange.Filename != "basic.hcl" || c.DeclRange.Start.Line != 33 || c.CallIDRange.Start.Line != 35 {
		t.Errorf("ranges of %s = %s and %s, want basic.hcl lines 33 and 35", c.Address, c.DeclRange, c.CallIDRange)
	}
}

func TestForEach(t *testing.T) {
	const head = `
exchange "x" {
  url = "https://x.example/EWS/Exchange.asmx"
}
variable "ids" {
  default = ["b", "a", "b"]
}
`
	tests := map[string]struct {
		body        string
		wantAddrs   []string
		wantCallIDs []string
	}{
		"set of strings": {
			body:        `for_each = toset(["b", "a"])` + "\ncall_id = each.value",
			wantAddrs:   []string{`end_call.c["a"]`, `end_call.c["b"]`},
			wantCallIDs: []string{"a", "b"},
		},
		"list of strings is treated as a set": {
			body:        `for_each = var.ids` + "\ncall_id = each.value",
			wantAddrs:   []string{`end_call.c["a"]`, `end_call.c["b"]`},
			wantCallIDs: []string{"a", "b"},
		},
		"map uses its keys": {
			body:        `for_each = tomap({desk = "ID-2", lobby = "ID-1"})` + "\ncall_id = each.value",
			wantAddrs:   []string{`end_call.c["desk"]`, `end_call.c["lobby"]`},
			wantCallIDs: []string{"ID-2", "ID-1"},
		},
		"object of objects": {
			body:        `for_each = { "a b" = { id = "1" }, "q\"x" = { id = "2" } }` + "\ncall_id = each.value.id",
			wantAddrs:   []string{`end_call.c["a b"]`, `end_call.c["q\"x"]`},
			wantCallIDs: []string{"1", "2"},
		},
		"empty set gives no instances": {
			body: `for_each = toset([])` + "\ncall_id = each.value",
		},
		"key usable in call id": {
			body:        `for_each = { a = 1 }` + "\ncall_id = \"${each.key}-${each.value}\"",
			wantAddrs:   []string{`end_call.c["a"]`},
			wantCallIDs: []string{"a-1"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			src := head + "end_call \"c\" {\nexchange = exchange.x\n" + tc.body + "\n}\n"
			pol, diags := NewLoader().LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(src)}}, ".", LoadOptions{})
			if len(diags) != 0 {
				t.Fatalf("unexpected diagnostics:\n%s", renderDiags(diags))
			}
			var addrs, ids []string
			for _, c := range pol.Calls {
				addrs = append(addrs, c.Address)
				ids = append(ids, c.CallID)
			}
			if diff := cmp.Diff(tc.wantAddrs, addrs); diff != "" {
				t.Errorf("addresses (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCallIDs, ids); diff != "" {
				t.Errorf("call ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestForEachUnknown(t *testing.T) {
	tests := map[string]struct {
		varsFailed bool
		wantDiags  []string
	}{
		"unknown is an error on its own":              {false, []string{"ERROR: Invalid for_each argument @x.hcl:1"}},
		"unknown after a failed variable is reported": {true, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ld := &loadRun{varsFailed: tc.varsFailed}
			rng := hcl.Range{Filename: "x.hcl", Start: hcl.InitialPos, End: hcl.InitialPos}
			_, ok, diags := ld.forEachInstances(cty.UnknownVal(cty.Set(cty.String)), rng)
			if ok {
				t.Error("unknown for_each gave instances")
			}
			if diff := cmp.Diff(tc.wantDiags, diagLines(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQuoteKey(t *testing.T) {
	tests := map[string]string{
		"plain":        `"plain"`,
		`q"uote`:       `"q\"uote"`,
		`back\slash`:   `"back\\slash"`,
		"new\nline":    `"new\nline"`,
		"tab\t":        `"tab\t"`,
		"${interp}":    `"$${interp}"`,
		"%{directive}": `"%%{directive}"`,
		"$ alone":      `"$ alone"`,
		"bell\a":       `"bell\u0007"`,
		"ünïcode":      `"ünïcode"`,
	}
	for in, want := range tests {
		if got := quoteKey(in); got != want {
			t.Errorf("quoteKey(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestCallIDKeptVerbatim(t *testing.T) {
	src := `
exchange "x" {
  url = "https://x.example/EWS/Exchange.asmx"
}
end_call "c" {
  exchange = exchange.x
  call_id  = " abc\t"
}
`
	pol, diags := NewLoader().LoadFS(fstest.MapFS{"m.hcl": {Data: []byte(src)}}, ".", LoadOptions{})
	if diff := cmp.Diff([]string{"WARNING: Call id has surrounding whitespace @m.hcl:7"}, diagLines(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if len(pol.Calls) != 1 || pol.Calls[0].CallID != " abc\t" {
		t.Errorf("calls = %+v, want one with call id %q", pol.Calls, " abc\t")
	}
}

func TestLoadDirectoryErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	onlyOther := filepath.Join(dir, "other")
	file := filepath.Join(dir, "file.hcl")
	for _, d := range []string{empty, onlyOther, filepath.Join(onlyOther, "sub.hcl")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range map[string]string{
		file:                                    "",
		filepath.Join(onlyOther, "notes.txt"):   "",
		filepath.Join(onlyOther, ".hidden.hcl"): "garbage {{{",
	} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := map[string]struct {
		dir         string
		wantSummary string
	}{
		"missing directory":             {filepath.Join(dir, "nope"), "Policy directory not found"},
		"empty directory":               {empty, "No policy files"},
		"no .hcl files, only others":    {onlyOther, "No policy files"},
		"a file instead of a directory": {file, "Cannot read policy directory"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pol, diags := NewLoader().Load(tc.dir, LoadOptions{})
			if pol == nil {
				t.Fatal("Load returned a nil policy")
			}
			if len(diags) != 1 || diags[0].Summary != tc.wantSummary {
				t.Fatalf("diagnostics = %v, want one %q", diagLines(diags), tc.wantSummary)
			}
			if !strings.Contains(diags[0].Detail, tc.dir) {
				t.Errorf("detail %q does not name the directory %q", diags[0].Detail, tc.dir)
			}
		})
	}
}

// TestLoadOSPaths loads from the real file system: file() and ca_file are
// relative to the policy directory, not the working directory.
func TestLoadOSPaths(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	// -var-file paths are relative to the working directory.
	if err := os.WriteFile("prefix.vars", []byte(`prefix = "P-"`), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cwd, "policy")
	if err := os.MkdirAll(filepath.Join(dir, "ids"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"main.hcl": `
variable "prefix" {
  default = ""
}
exchange "x" {
  url     = "https://x.example/EWS/Exchange.asmx"
  ca_file = "ca.pem"
}
end_call "from_file" {
  for_each = toset(compact(split("\n", file("ids/list.txt"))))
  exchange = exchange.x
  call_id  = "${var.prefix}${each.value}"
}
`,
		"ca.pem":       "-----BEGIN CERTIFICATE-----\n",
		"ids/list.txt": "A1\nB2\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l := NewLoader()
	pol, diags := l.Load("policy", LoadOptions{VarFiles: []string{"prefix.vars"}})
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics:\n%s", renderDiags(diags))
	}
	if got, want := pol.Exchanges["x"].CAFile, filepath.Join("policy", "ca.pem"); got != want {
		t.Errorf("CAFile = %q, want %q", got, want)
	}
	var ids []string
	for _, c := range pol.Calls {
		ids = append(ids, c.CallID)
	}
	if diff := cmp.Diff([]string{"P-A1", "P-B2"}, ids); diff != "" {
		t.Errorf("call ids (-want +got):\n%s", diff)
	}
	if _, ok := l.Files()[filepath.Join("policy", "main.hcl")]; !ok {
		t.Errorf("Files() = %v, want it to hold main.hcl by its path", mapKeys(l.Files()))
	}
}

// TestLoadTwice shows a Loader reports a broken file's errors on every
// load, not only the first (hclparse's cache would hide them).
func TestLoadTwice(t *testing.T) {
	fsys := fstest.MapFS{"m.hcl": {Data: []byte("exchange {")}}
	l := NewLoader()
	for i := range 2 {
		if _, diags := l.LoadFS(fsys, ".", LoadOptions{}); !diags.HasErrors() {
			t.Errorf("load %d: no errors for a broken file", i+1)
		}
	}
}

func TestDiagnosticsRender(t *testing.T) {
	src := `exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

end_call "typo" {
  exchange = exchange.crop
  call_id  = "A"
}
`
	l := NewLoader()
	_, diags := l.LoadFS(fstest.MapFS{"policy/main.hcl": {Data: []byte(src)}}, "policy", LoadOptions{})
	var buf bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&buf, l.Files(), 80, false)
	if err := w.WriteDiagnostics(diags); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	t.Log(got)
	for _, want := range []string{
		"Error: Reference to undeclared exchange",
		"on policy/main.hcl line 6, in end_call \"typo\":",
		"   6:   exchange = exchange.crop",
		`Did you mean "corp"?`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered diagnostics lack %q:\n%s", want, got)
		}
	}
	if d := diags[0]; d.Subject.Start.Line != 6 || d.Subject.Start.Column != 14 {
		t.Errorf("subject = %s, want line 6 column 14", d.Subject)
	}
}

// TestForEachInstancesShareCallIDRange: 100,000 instances of one block
// hold one call_id range between them, not a copy each.
func TestForEachInstancesShareCallIDRange(t *testing.T) {
	pol := loadFixture(t, "basic.hcl", LoadOptions{Environ: []string{"CALLCTL_PASSWORD=from-env"}})
	var stuck []*Call
	for _, c := range pol.Calls {
		if c.Name == "stuck" {
			stuck = append(stuck, c)
		}
	}
	if len(stuck) < 2 || stuck[0].CallIDRange == nil || stuck[0].CallIDRange != stuck[1].CallIDRange {
		t.Errorf("for_each instances do not share their call_id range: %v", stuck)
	}
}

// An empty ca_file, as env() gives for an unset variable, means the
// system's trusted CAs, not the policy directory read as a CA file.
func TestLoadEmptyCAFile(t *testing.T) {
	dir := t.TempDir()
	src := `
exchange "x" {
  url     = "https://x.example/EWS/Exchange.asmx"
  ca_file = env("CALLCTL_TEST_UNSET_CA")
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CALLCTL_TEST_UNSET_CA", "")
	pol, diags := NewLoader().Load(dir, LoadOptions{})
	if diags.HasErrors() {
		t.Fatalf("unexpected diagnostics:\n%s", renderDiags(diags))
	}
	if got := pol.Exchanges["x"].CAFile; got != "" {
		t.Errorf("CAFile = %q, want none", got)
	}
}

// A kerberos auth block: its file arguments are taken from the policy
// directory (absolute ones as they are) and not read at load, so that
// validate needs no keytab; the password's variable is sensitive.
func TestLoadKerberosAuth(t *testing.T) {
	dir := t.TempDir()
	src := `
variable "pw" {}
exchange "x" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
  auth "kerberos" {
    username  = "svc-callctl@CORP.EXAMPLE"
    password  = var.pw
    krb5_conf = "/etc/callctl/krb5.conf"
    spn       = "HTTP/mail.corp.example"
  }
}
exchange "y" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
  auth "kerberos" {
    username = "svc-callctl@CORP.EXAMPLE"
    keytab   = "secrets/svc.keytab"
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	pol, diags := NewLoader().Load(dir, LoadOptions{Vars: []string{"pw=s3cret"}})
	if diags.HasErrors() {
		t.Fatalf("unexpected diagnostics:\n%s", renderDiags(diags))
	}
	x, y := pol.Exchanges["x"].Auth.Credentials, pol.Exchanges["y"].Auth.Credentials
	if x["krb5_conf"] != "/etc/callctl/krb5.conf" || x["spn"] != "HTTP/mail.corp.example" || x["password"] != "s3cret" {
		t.Errorf("x credentials %v", x)
	}
	if want := filepath.Join(dir, "secrets", "svc.keytab"); y["keytab"] != want {
		t.Errorf("keytab %q, want %q", y["keytab"], want)
	}
	if !pol.Sensitive["pw"] {
		t.Error("the password's variable is not sensitive")
	}
}
