package command

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/callctl/callctl/throttle"
	"github.com/callctl/callctl/vocab"
)

// TestHelpDefaults ties the defaults plan's help prints to the values the
// run actually uses, so the help cannot drift from vocab again (it once
// said 60s for a timeout of 8s).
func TestHelpDefaults(t *testing.T) {
	h := helpFor("plan")
	option := func(name string) string {
		// An option's text runs from its name to the next option.
		re := regexp.MustCompile(`(?s)\n  -` + name + `\S*\s(.*?)\n  -`)
		m := re.FindStringSubmatch(h)
		if m == nil {
			t.Fatalf("plan help has no -%s option:\n%s", name, h)
		}
		return strings.Join(strings.Fields(m[1]), " ")
	}
	tests := map[string]string{
		"timeout":     fmt.Sprintf("(default %s)", vocab.DefaultTimeout),
		"parallelism": fmt.Sprintf("(default %d)", vocab.DefaultParallelism),
		"max-backoff": fmt.Sprintf("(default %gm;", vocab.DefaultMaxBackoff.Minutes()),
	}
	for name, want := range tests {
		if got := option(name); !strings.Contains(got, want) {
			t.Errorf("-%s help %q does not say %q", name, got, want)
		}
	}
	if got, want := option("timeout"), fmt.Sprintf("up to %d attempts", throttle.DefaultMaxAttempts); !strings.Contains(got, want) {
		t.Errorf("-timeout help %q does not say %q", got, want)
	}
}
