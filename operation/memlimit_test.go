package operation

import (
	"context"
	"math"
	"runtime/debug"
	"sync"
	"testing"

	"github.com/callctl/callctl/reconcile"
)

func TestMemLimitFor(t *testing.T) {
	tests := map[string]struct {
		live uint64
		want int64
	}{
		"empty heap gets the floor":      {live: 0, want: memLimitFloor},
		"small heap gets the floor":      {live: 50 << 20, want: memLimitFloor},
		"large heap gets a quarter more": {live: 400 << 20, want: 500 << 20},
		"absurd heap means no limit":     {live: math.MaxUint64, want: math.MaxInt64},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := memLimitFor(tt.live); got != tt.want {
				t.Errorf("memLimitFor(%d) = %d, want %d", tt.live, got, tt.want)
			}
		})
	}
}

// TestSoftMemoryLimit: the limit is set until restored, and a limit the
// user chose is left alone.
func TestSoftMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(before)

	restore := softMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got < memLimitFloor || got == math.MaxInt64 {
		t.Errorf("limit while set %d, want at least %d", got, memLimitFloor)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit after restore %d, want none", got)
	}

	const user = 1 << 30
	debug.SetMemoryLimit(user)
	restore = softMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got != user {
		t.Errorf("limit with GOMEMLIMIT set %d, want the user's %d", got, user)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != user {
		t.Errorf("limit after restore %d, want the user's %d", got, user)
	}
}

// memLimitHook notes the memory limit during each lookup.
type memLimitHook struct {
	mu   sync.Mutex
	seen []int64
}

func (h *memLimitHook) PostLookup(*reconcile.Change, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seen = append(h.seen, debug.SetMemoryLimit(-1))
}
func (*memLimitHook) PreDisconnect(*reconcile.Change)  {}
func (*memLimitHook) PostDisconnect(*reconcile.Result) {}

// TestSoftMemoryLimitWhileLoadingAndLooking: the policy loads, and a large plan looks its
// calls up, under a soft memory limit, unless the user chose GOGC; the
// limit is gone once the plan is closed.
func TestSoftMemoryLimitWhileLoadingAndLooking(t *testing.T) {
	defer func(n int) { largePlanCalls = n }(largePlanCalls)
	largePlanCalls = 2
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	defer func() { whileLoading = nil }()
	for _, tt := range []struct {
		name    string
		lowGC   bool
		limited bool
	}{
		{"GOGC unset", true, true},
		{"GOGC set", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var loading int64
			whileLoading = func() { loading = debug.SetMemoryLimit(-1) }
			f := newFixture(t, 0)
			hook := &memLimitHook{}
			req := f.request()
			req.Hooks, req.LowGCWhileLoading = []reconcile.Hook{hook}, tt.lowGC
			p, diags := MakePlan(context.Background(), &req, &recorder{})
			if diags.HasErrors() {
				p.Close()
				t.Fatal(diags.Error())
			}
			if limited := loading != math.MaxInt64; limited != tt.limited {
				t.Errorf("memory limit while loading %d; limited %v, want %v", loading, limited, tt.limited)
			}
			if len(hook.seen) != 2 {
				t.Fatalf("%d lookups, want 2", len(hook.seen))
			}
			for _, got := range hook.seen {
				if limited := got != math.MaxInt64; limited != tt.limited {
					t.Errorf("memory limit during a lookup %d; limited %v, want %v", got, limited, tt.limited)
				}
			}
			p.Close()
			if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
				t.Errorf("memory limit after Close %d, want none", got)
			}
		})
	}
}
