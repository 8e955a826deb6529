package arguments

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callctl/callctl/throttle"
)

// Every bad duration is reported, in the order the flags are documented,
// every time: a map's order would shuffle them from run to run.
func TestOperationCheckIsInFlagOrder(t *testing.T) {
	want := []string{"Invalid parallelism", "Invalid -timeout", "Invalid -deadline", "Invalid -max-backoff", "Invalid -max-disconnects"}
	for range 20 {
		_, diags := ParsePlan([]string{"-parallelism=0", "-max-backoff=-1s", "-deadline=-1s", "-timeout=0", "-max-disconnects=-5"})
		var got []string
		for _, d := range diags {
			got = append(got, d.Summary)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("diagnostics (-want +got):\n%s", d)
		}
	}
}

func TestMaxBackoffReachesTheRetryLayer(t *testing.T) {
	tests := map[string]struct {
		args []string
		want time.Duration
	}{
		"default":               {nil, 5 * time.Minute},
		"a duration":            {[]string{"-max-backoff=30s"}, 30 * time.Second},
		"zero means never wait": {[]string{"-max-backoff=0"}, throttle.NeverWait},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p, diags := ParsePlan(tc.args)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if got := p.ConnectOptions().MaxBackoff; got != tc.want {
				t.Errorf("MaxBackoff = %v, want %v", got, tc.want)
			}
		})
	}
}
