package operation

import (
	"context"
	"runtime/debug"
	"sync"
	"testing"

	"github.com/callctl/callctl/reconcile"
)

// gcPercentHook notes the collector's target during each lookup.
type gcPercentHook struct {
	mu   sync.Mutex
	seen []int
}

func (h *gcPercentHook) PostLookup(*reconcile.Change, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	// SetGCPercent reports the old value; put it straight back.
	old := debug.SetGCPercent(-1)
	debug.SetGCPercent(old)
	h.seen = append(h.seen, old)
}
func (*gcPercentHook) PreDisconnect(*reconcile.Change)  {}
func (*gcPercentHook) PostDisconnect(*reconcile.Result) {}

// TestLargePlanTightensGCDuringLookups: a plan of largePlanCalls calls or
// more looks its calls up under a tighter collector target, unless the
// user chose GOGC, until the plan is closed; then the target is back to
// what it was.
func TestLargePlanTightensGCDuringLookups(t *testing.T) {
	defer func(n int) { largePlanCalls = n }(largePlanCalls)
	largePlanCalls = 2
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	for _, tt := range []struct {
		name  string
		lowGC bool
		want  int
	}{
		{"GOGC unset", true, largePlanGCPercent},
		{"GOGC set", false, 100},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0)
			hook := &gcPercentHook{}
			req := f.request()
			req.Hooks, req.LowGCWhileLoading = []reconcile.Hook{hook}, tt.lowGC
			p, diags := MakePlan(context.Background(), &req, &recorder{})
			if diags.HasErrors() {
				p.Close()
				t.Fatal(diags.Error())
			}
			if len(hook.seen) != 2 || hook.seen[0] != tt.want || hook.seen[1] != tt.want {
				t.Errorf("GC percent during lookups %v, want %d for each", hook.seen, tt.want)
			}
			// Still tight while the caller renders and saves the plan.
			if got := debug.SetGCPercent(-1); got != tt.want {
				t.Errorf("GC percent before Close %d, want %d", got, tt.want)
			}
			debug.SetGCPercent(tt.want)
			p.Close()
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("GC percent after Close %d, want 100 restored", got)
			}
		})
	}
}
