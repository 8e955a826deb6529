package command

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
)

func TestCompletions(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.hcl", `exchange "y" {
  url = "https://x.invalid/EWS/Exchange.asmx"
  auth "ntlm" {
    username = "u"
    password = env("PW")
  }
}
end_call "x" {
  for_each = toset(["AAA", "BBB"])
  exchange = exchange.y
  call_id  = each.value
}
end_call "solo" {
  exchange = exchange.y
  call_id  = "S"
}
`)
	write("tests/a.calltest.hcl", "")
	write("p.plan", "")
	chdir := "callctl -chdir=" + dir + " "
	tests := map[string][]string{
		"callctl ":                          {"apply", "console", "fmt", "help", "plan", "show", "test", "validate", "version"},
		"callctl va":                        {"validate"},
		"callctl -":                         {"-chdir=", "-help", "-version"},
		chdir + "pl":                        {"plan"},
		chdir + "plan -ta":                  {"-target="},
		chdir + "plan -target=":             {"end_call.solo", "end_call.x", `end_call.x["AAA"]`, `end_call.x["BBB"]`},
		chdir + "plan -target=end_call.x[":  {`end_call.x["AAA"]`, `end_call.x["BBB"]`},
		chdir + "apply -exclude end_call.s": {"end_call.solo"},
		chdir + "plan -not-found=":          {"error", "warn"},
		chdir + "plan -no":                  {"-no-color", "-not-found="},
		chdir + "test -filter=":             {"tests/a.calltest.hcl"},
		chdir + "apply p":                   {"p.plan"},
		chdir + "apply t":                   {"tests/"},
		chdir + "apply tests/":              {"tests/a.calltest.hcl"},
		"callctl help co":                   {"console"},
		"callctl nosuch -":                  nil,
	}
	for line, want := range tests {
		t.Run(line, func(t *testing.T) {
			if diff := cmp.Diff(want, completions(line, nil)); diff != "" {
				t.Errorf("completions(%q) (-want +got):\n%s", line, diff)
			}
		})
	}
}

// TestCompletionFlagsMatchCommands holds the completion's flag lists to
// the flags each command parses and documents in its help.
func TestCompletionFlagsMatchCommands(t *testing.T) {
	parse := map[string]func([]string) error{
		"plan":     func(a []string) error { _, d := arguments.ParsePlan(a); return diagErr(d) },
		"apply":    func(a []string) error { _, d := arguments.ParseApply(a); return diagErr(d) },
		"validate": func(a []string) error { _, d := arguments.ParseValidate(a); return diagErr(d) },
		"fmt":      func(a []string) error { _, d := arguments.ParseFmt(a); return diagErr(d) },
		"show":     func(a []string) error { _, d := arguments.ParseShow(a); return diagErr(d) },
		"test":     func(a []string) error { _, d := arguments.ParseTest(a); return diagErr(d) },
		"console":  func(a []string) error { _, d := arguments.ParseConsole(a); return diagErr(d) },
		"version":  func(a []string) error { _, d := arguments.ParseVersion(a); return diagErr(d) },
	}
	flagInHelp := regexp.MustCompile(`(?m)^\s+(-[a-z-]+)`)
	for cmd, p := range parse {
		flags := commandFlags[cmd]
		for name, kind := range flags {
			arg := "-" + name
			if kind != noValue {
				arg += "=1"
			}
			if err := p([]string{arg}); err != nil && strings.Contains(err.Error(), "not defined") {
				t.Errorf("%s: completion offers -%s, which the command does not take", cmd, name)
			}
		}
		for _, m := range flagInHelp.FindAllStringSubmatch(helpFor(cmd), -1) {
			name := strings.TrimPrefix(m[1], "-")
			if _, ok := flags[name]; !ok {
				t.Errorf("%s: help documents %s, which completion does not offer", cmd, m[1])
			}
		}
	}
}

type diagError string

func (e diagError) Error() string { return string(e) }

func diagErr(d interface{ Error() string }) error {
	if s := d.Error(); s != "no diagnostics" && s != "" {
		return diagError(s)
	}
	return nil
}
