package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/callctl/callctl/cmd/callctl/internal/command"
)

// TestGuard checks that a panic exits 1, never Go's 2, which plan
// -detailed-exitcode uses for "calls to disconnect".
func TestGuard(t *testing.T) {
	tests := map[string]struct {
		f        func() int
		wantCode int
		wantErr  string
	}{
		"returns":   {func() int { return command.ExitChanges }, command.ExitChanges, ""},
		"panics":    {func() int { panic("boom") }, command.ExitError, "Error: Internal error"},
		"nil deref": {func() int { var p *struct{ x int }; return p.x }, command.ExitError, "nil pointer dereference"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			if got := guard(&stderr, tt.f); got != tt.wantCode {
				t.Errorf("exit code %d, want %d", got, tt.wantCode)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.wantErr)
			}
		})
	}
}
