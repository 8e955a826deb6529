package memtune

import (
	"math"
	"runtime/debug"
	"testing"
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

// The tuner tightens the collector and sets the soft limit until
// restored; a plan below LargePlanCalls is left alone.
func TestTuner(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	tu := &Tuner{LargePlanCalls: 10, GCPercent: 40}
	check := func(what string, wantPct int, limited bool) {
		t.Helper()
		pct := debug.SetGCPercent(-1)
		debug.SetGCPercent(pct)
		if lim := debug.SetMemoryLimit(-1); pct != wantPct || (lim != math.MaxInt64) != limited {
			t.Errorf("%s: GC percent %d limit %d, want %d and limited %v", what, pct, lim, wantPct, limited)
		}
	}
	restore := tu.Loading()
	check("loading", 40, true)
	restore()
	check("loaded", 100, false)
	restore = tu.Plan(9)
	check("small plan", 100, false)
	restore()
	restore = tu.Plan(10)
	check("large plan", 40, true)
	restore()
	check("large plan closed", 100, false)
	if New().LargePlanCalls != DefaultLargePlanCalls || New().GCPercent != DefaultGCPercent {
		t.Error("New does not give the defaults")
	}
}
