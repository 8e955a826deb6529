package inventory

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// A command may print exactly MaxBytes; one byte more is refused.
func TestCommandOutputCap(t *testing.T) {
	const max = 1000
	for _, tc := range []struct {
		n       int
		refused bool
	}{{max - 1, false}, {max, false}, {max + 1, true}} {
		c := Command{Argv: []string{"head", "-c", strconv.Itoa(tc.n), "/dev/zero"}, Timeout: 10 * time.Second, Limits: Limits{MaxBytes: max, MaxLineBytes: max, MaxRecords: 10}}
		out, err := c.Output(context.Background())
		switch {
		case tc.refused && err == nil:
			t.Errorf("%d bytes: accepted, want refused", tc.n)
		case !tc.refused && err != nil:
			t.Errorf("%d bytes: %v, want accepted", tc.n, err)
		case !tc.refused && len(out) != tc.n:
			t.Errorf("%d bytes: got %d", tc.n, len(out))
		}
	}
}
