package policytest

import (
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
)

// FuzzParseFile: a test file, however hostile, parses to diagnostics,
// never a panic or a hang.
func FuzzParseFile(f *testing.F) {
	for _, seed := range []string{
		"",
		`mock_exchange "corp" { calls = { "a" = "Connected" } }`,
		"mock_exchange \"c\" {\n  fault = \"busy\"\n}\nrun \"r\" {\n  command = apply\n  expect_failures = [exchange.c]\n}\n",
		"mock_data \"inventory\" \"d\" {\n  records = [{ a = 1 }, { b = [1, 2] }]\n}\n",
		"run \"r\" {\n  plan_timestamp = \"nope\"\n  variables {\n    x = { a = [1] }\n  }\n  assert {\n    condition = plan.changes\n    error_message = 1\n  }\n}\n",
		"run \"r\" {\n  expect_failures = [foo, var, data.inventory, end_call.x[0]]\n}\n",
		"variables {\n  x = [[[[[[[[[[\n}\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, _ = ParseFile(hclparse.NewParser(), []byte(src), "t.calltest.hcl", "t.calltest.hcl")
	})
}
