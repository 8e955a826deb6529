package config

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// commandPolicy is a policy with one exchange whose credentials come from
// the environment and an inventory command; %s is the data block's body.
const commandPolicy = `
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
  auth "basic" {
    username = "svc"
    password = env("CALLCTL_PASSWORD")
  }
}

exchange "bearer" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
  auth "bearer" {
    token = env("EWS_TOKEN")
  }
}

variable "pin" {
  type      = string
  sensitive = true
}

data "inventory" "calls" {
%s
}
`

// commandEnviron is callctl's environment in these tests: credentials,
// callctl's own variables, and ordinary ones.
var commandTestEnviron = []string{
	"PATH=" + os.Getenv("PATH"), "HOME=/home/svc", "LANG=C.UTF-8", "TMPDIR=/tmp",
	"CALLCTL_PASSWORD=HUNTER2PW", "CALLCTL_PLAN_KEY=PLANKEY0123456789", "CALLCTL_VAR_pin=S3CRETPIN9",
	"EWS_TOKEN=TOKEN-abcdef", "CAMPAIGN=outage", "UNRELATED=leaky", "COPY_OF_PW=HUNTER2PW",
}

func loadCommandPolicy(t *testing.T, body string, files map[string]string) (*Policy, string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the test commands are shell scripts")
	}
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", strings.Replace(commandPolicy, "%s", body, 1))
	for name, data := range files {
		writeFile(t, dir, name, data)
		if err := os.Chmod(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pol, diags := NewLoader().Load(dir, LoadOptions{
		Environ: commandTestEnviron,
		Data:    DataOptions{Context: ctx},
		Secrets: []string{"PLANKEY0123456789"},
	})
	return pol, diags.Error()
}

// An inventory command sees only PATH, HOME, LANG, TZ, TMPDIR and what its
// block names: a command running env shows no credential, no plan key and
// nothing else of callctl's.
func TestInventoryCommandEnvironment(t *testing.T) {
	_, errs := loadCommandPolicy(t, `
  command = ["sh", "-c", "env | sort >&2; exit 1"]
  env     = ["CAMPAIGN", "NOT_SET_ANYWHERE"]`, nil)
	for _, want := range []string{"PATH=", "HOME=/home/svc", "LANG=C.UTF-8", "TMPDIR=/tmp", "CAMPAIGN=outage"} {
		if !strings.Contains(errs, want) {
			t.Errorf("the command's environment lacks %s:\n%s", want, errs)
		}
	}
	for _, leak := range []string{"HUNTER2PW", "PLANKEY", "S3CRETPIN9", "TOKEN-abcdef", "CALLCTL_", "EWS_TOKEN", "UNRELATED", "NOT_SET_ANYWHERE"} {
		if strings.Contains(errs, leak) {
			t.Errorf("the command saw %s:\n%s", leak, errs)
		}
	}
}

func TestInventoryCommandEnvRefused(t *testing.T) {
	tests := map[string]struct{ body, want string }{
		"callctl's own": {`command = ["true"]
  env = ["CALLCTL_PASSWORD"]`, "Environment variable withheld from command"},
		"callctl's own in lower case": {`command = ["true"]
  env = ["callctl_plan_key"]`, "Environment variable withheld from command"},
		"read by an auth block": {`command = ["true"]
  env = ["EWS_TOKEN"]`, "holds a credential"},
		"holding a secret under another name": {`command = ["true"]
  env = ["COPY_OF_PW"]`, "Its value is a secret the policy uses"},
		"not a name": {`command = ["true"]
  env = ["A=B"]`, "Invalid environment variable name"},
		"without a command": {`file = "x.jsonl"
  env = ["CAMPAIGN"]`, "Environment without a command"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, errs := loadCommandPolicy(t, tt.body, nil)
			if !strings.Contains(errs, tt.want) {
				t.Errorf("errors %q do not say %q", errs, tt.want)
			}
		})
	}
}

// A script traced with "bash -x" prints the credentials it uses; the
// error quoting its standard error shows them masked, and shows what a
// terminal would obey (escape sequences, bidi overrides, carriage
// returns) as escapes, each line indented under the message.
func TestInventoryCommandStderrMaskedAndVisible(t *testing.T) {
	if _, err := os.Stat("/bin/bash"); err != nil {
		t.Skip("no bash")
	}
	script := "#!/bin/bash\nset -x\ncurl -s -u svc:HUNTER2PW -H 'X-Pin: S3CRETPIN9' -H 'Key: PLANKEY0123456789' https://dialer.invalid/ 2>/dev/null\n" +
		"printf 'token=TOKEN-abcdef\\n\\033[2J\\033[HFAKE: Apply complete!\\rX\\342\\200\\256gnp.exe\\302\\233\\n' >&2\nexit 7\n"
	_, errs := loadCommandPolicy(t, `command = ["./list-calls"]`, map[string]string{"list-calls": script})
	for _, leak := range []string{"HUNTER2PW", "S3CRETPIN9", "PLANKEY0123456789", "TOKEN-abcdef", "\x1b", "\r", "\u202e", "\u009b"} {
		if strings.Contains(errs, leak) {
			t.Errorf("the error shows %q:\n%s", leak, errs)
		}
	}
	for _, want := range []string{
		"exit status 7",
		"    + curl -s -u svc:(sensitive value) -H 'X-Pin: (sensitive value)' -H 'Key: (sensitive value)'",
		"    token=(sensitive value)",
		`    \x1b[2J\x1b[HFAKE: Apply complete!\rX\u202egnp.exe\u009b`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("the error lacks %q:\n%s", want, errs)
		}
	}
}
