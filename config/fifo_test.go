//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// An inventory file that is a named pipe is refused up front, without
// opening it for a blocking read (which would wait for a writer forever).
func TestInventoryFileMustBeRegular(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", strings.ReplaceAll(standingPolicy, "%s", "jsonl"))
	if err := os.Mkdir(filepath.Join(dir, "inv"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "inv", "calls.jsonl"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	_, diags := NewLoader().Load(dir, LoadOptions{})
	if !diags.HasErrors() || diags[0].Summary != "Inventory is not a regular file" || !strings.Contains(diags[0].Detail, "a named pipe") {
		t.Fatalf("diags = %s", diags.Error())
	}
}
