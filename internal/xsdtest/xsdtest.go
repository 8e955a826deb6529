// Package xsdtest validates XML elements against the real EWS schema with
// xmllint, for the tests of the client and of the simulator.
package xsdtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Schema returns the path of ../shared/schemas/ews/messages.xsd, relative
// to the module root (where CI lays shared/ beside the repository), after
// checking that xmllint is installed. Without either it skips the test
// locally and fails it in CI, where a missing tool must not silently turn
// the schema check off.
func Schema(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		skipOrFail(t, "xmllint not installed (apt-get install libxml2-utils): %v", err)
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("xsdtest: no go.mod above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "schemas", "ews", "messages.xsd")
	if _, err := os.Stat(p); err != nil {
		skipOrFail(t, "EWS schema not found: %v", err)
	}
	return p
}

func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// Validate runs xmllint on one element (a SOAP body's child, not the
// envelope) against schema; the error holds xmllint's complaint.
func Validate(t testing.TB, schema string, element []byte) error {
	t.Helper()
	f := filepath.Join(t.TempDir(), "element.xml")
	if err := os.WriteFile(f, element, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", schema, f).CombinedOutput()
	if err != nil {
		return fmt.Errorf("xmllint rejects the element: %v\n%s", err, out)
	}
	return nil
}
