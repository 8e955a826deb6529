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

// TestReadmeFirstPolicy holds the README's "Your first policy" files to
// the ones readme_first_policy.txtar validates and tests.
func TestReadmeFirstPolicy(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("testdata/script/readme_first_policy.txtar")
	if err != nil {
		t.Fatal(err)
	}
	_, files, _ := strings.Cut(string(script), "-- first/main.hcl --\n")
	main, test, _ := strings.Cut(files, "-- first/tests/first.calltest.hcl --\n")
	for name, body := range map[string]string{"main.hcl": main, "first.calltest.hcl": test} {
		if !strings.Contains(string(readme), "```hcl\n"+body+"```") {
			t.Errorf("the README's %s is not the one readme_first_policy.txtar runs", name)
		}
	}
}
