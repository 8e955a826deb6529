package policytest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const policy = `
variable "ids" {
  type    = list(string)
  default = []
}
variable "pw" {
  type      = string
  sensitive = true
  default   = "s3cret"
}
exchange "corp" {
  url = "https://mail.invalid/EWS/Exchange.asmx"
  auth "ntlm" {
    username = "CORP\\svc"
    password = env("CALLCTL_PASSWORD")
  }
}
end_call "c" {
  for_each = toset(var.ids)
  exchange = exchange.corp
  call_id  = each.value
}
protect "desk" {
  patterns = ["911-*"]
}
`

const commandPolicy = `
data "inventory" "live" {
  command = ["./list-calls"]
  format  = "jsonl"
}
`

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunFile(t *testing.T) {
	tests := map[string]struct {
		test     string
		want     []Status // per run
		wantDiag string   // in some run's diagnostics
	}{
		"pass": {
			test: `mock_exchange "corp" { calls = { "a" = "Connected" } }
run "r" {
  variables { ids = ["a", "b"] }
  assert {
    condition     = [for c in plan.changes : c.action] == ["disconnect", "not_found"]
    error_message = "x"
  }
}`,
			want: []Status{Pass},
		},
		"failed assertion shows compared values": {
			test: `mock_exchange "corp" { calls = { "a" = "Connected" } }
run "r" {
  variables { ids = ["a"] }
  assert {
    condition     = length(plan.changes) == 2
    error_message = "want ${2} changes"
  }
}`,
			want:     []Status{Fail},
			wantDiag: "want 2 changes\n\nThe condition compared:\n  length(plan.changes) is 1",
		},
		"apply state carries over to the next run": {
			test: `mock_exchange "corp" { calls = { "a" = "Connected" } }
variables { ids = ["a"] }
run "apply" {
  command = apply
  assert {
    condition     = apply.results[0].outcome == "disconnected"
    error_message = "x"
  }
}
run "after" {
  assert {
    condition     = plan.changes[0].state == "Disconnected"
    error_message = "x"
  }
}`,
			want: []Status{Pass, Pass},
		},
		"apply in a plan run": {
			test: `mock_exchange "corp" { calls = {} }
run "r" {
  assert {
    condition     = length(apply.results) == 0
    error_message = "x"
  }
}`,
			want:     []Status{Fail},
			wantDiag: "this run's command is plan",
		},
		"down exchange expected": {
			test: `mock_exchange "corp" { fault = "down" }
run "r" {
  variables { ids = ["a"] }
  expect_failures = [exchange.corp]
}`,
			want: []Status{Pass},
		},
		"no apply after plan errors": {
			test: `mock_exchange "corp" { fault = "down" }
run "r" {
  command = apply
  variables { ids = ["a"] }
  expect_failures = [exchange.corp]
  assert {
    condition     = length(apply.results) == 0
    error_message = "x"
  }
}`,
			want:     []Status{Fail},
			wantDiag: "the plan failed, so nothing was applied",
		},
		"down exchange unexpected": {
			test: `mock_exchange "corp" { fault = "down" }
run "r" {
  variables { ids = ["a"] }
}`,
			want:     []Status{Error},
			wantDiag: "exchange corp is down",
		},
		"protect hit expected": {
			test: `mock_exchange "corp" { calls = {} }
run "r" {
  variables { ids = ["911-1"] }
  expect_failures = [protect.desk]
}`,
			want: []Status{Pass},
		},
		"invalid variable expected": {
			test: `mock_exchange "corp" { calls = {} }
run "r" {
  variables { ids = "a" }
  expect_failures = [var.ids]
}`,
			want: []Status{Pass},
		},
		"expected failure missing": {
			test: `mock_exchange "corp" { calls = {} }
run "r" { expect_failures = [end_call.c] }`,
			want:     []Status{Fail},
			wantDiag: "expected to fail at end_call.c",
		},
		"undeclared variable": {
			test: `run "r" {
  variables { idz = [] }
}`,
			want:     []Status{Error},
			wantDiag: `Did you mean "ids"?`,
		},
		"sensitive value never shown": {
			test: `mock_exchange "corp" { calls = {} }
run "r" {
  assert {
    condition     = var.pw == "other"
    error_message = "pw"
  }
}`,
			want:     []Status{Fail},
			wantDiag: "var.pw is (sensitive value)",
		},
		"command data source needs a mock": {
			test: `mock_exchange "corp" { calls = {} }
run "r" {}`,
			want:     []Status{Error},
			wantDiag: "callctl test runs no command",
		},
		"hostile nesting": {
			test:     "variables {\n  x = " + strings.Repeat("[", 100000) + "\n}\n",
			wantDiag: "nested",
		},
		"bad fault": {
			test:     `mock_exchange "corp" { fault = "bussy" }`,
			wantDiag: `Did you mean "busy"?`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{"main.hcl": policy, "tests/t.calltest.hcl": tc.test}
			if strings.HasPrefix(name, "command") {
				files["data.hcl"] = commandPolicy
			}
			dir := writeFiles(t, files)
			r := &Runner{Dir: dir}
			res := r.RunFile(context.Background(), "tests/t.calltest.hcl")
			var got []Status
			var text strings.Builder
			for _, d := range res.Diags {
				text.WriteString(d.Detail + "\n")
			}
			for _, run := range res.Runs {
				got = append(got, run.Status)
				for _, d := range run.Diags {
					text.WriteString(d.Detail + "\n")
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("statuses %v, want %v; diagnostics:\n%s", got, tc.want, text.String())
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("statuses %v, want %v; diagnostics:\n%s", got, tc.want, text.String())
				}
			}
			if !strings.Contains(text.String(), tc.wantDiag) {
				t.Errorf("diagnostics lack %q:\n%s", tc.wantDiag, text.String())
			}
			if strings.Contains(text.String(), "s3cret") {
				t.Errorf("a sensitive value was shown:\n%s", text.String())
			}
		})
	}
}

func TestDiscover(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.hcl": policy, "a.calltest.hcl": "", "tests/b.calltest.hcl": "", "tests/c.hcl": "", ".hidden.calltest.hcl": "",
	})
	got, diags := Discover(dir, nil)
	if diags.HasErrors() || strings.Join(got, ",") != "a.calltest.hcl,tests/b.calltest.hcl" {
		t.Fatalf("Discover = %v, %v", got, diags)
	}
	got, diags = Discover(dir, []string{"./tests/b.calltest.hcl"})
	if diags.HasErrors() || strings.Join(got, ",") != "tests/b.calltest.hcl" {
		t.Fatalf("Discover with filter = %v, %v", got, diags)
	}
	if _, diags = Discover(dir, []string{"b.calltest.hcl"}); !diags.HasErrors() {
		t.Fatal("a filter naming no file is no error")
	}
}
