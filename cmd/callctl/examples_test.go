package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryExampleShipsTests holds the promise that every example policy
// comes with callctl tests; test_examples.txtar runs them.
func TestEveryExampleShipsTests(t *testing.T) {
	dirs, err := filepath.Glob("../../examples/*")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("testdata/script/test_examples.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		policies, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
		if len(policies) == 0 {
			continue // not a policy (examples/ci)
		}
		tests, _ := filepath.Glob(filepath.Join(dir, "tests", "*.calltest.hcl"))
		top, _ := filepath.Glob(filepath.Join(dir, "*.calltest.hcl"))
		if len(tests)+len(top) == 0 {
			t.Errorf("%s has no *.calltest.hcl test file", dir)
		}
		if !strings.Contains(string(script), "$EXAMPLES/"+filepath.Base(dir)+" test\n") {
			t.Errorf("test_examples.txtar does not run callctl test in %s", dir)
		}
	}
}
