package memtune

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// A tighter GOGC alone leaves a large standing policy's process well above
// its live heap at the end of loading: the heap goal is 1.4 times the live
// heap, and pages freed while decoding stay resident. A soft memory limit
// makes the runtime collect earlier and return free pages, so that at
// 100,000 inventory records the peak falls from 183 MB to 142 MB. Sized from
// the live heap, re-measured after every collection, it never sits below
// what the program needs: a heap larger than the floor gets a quarter of
// its size in headroom, and the collector works at most a little harder
// than GOGC 40 would have it, instead of running back to back under a
// fixed limit it cannot meet.
const (
	// memLimitFloor: at 120 MiB a 100,000-record plan peaked at 143-151
	// MB RSS; at 112 MiB at 142-143 MB, for about 8% more CPU, but a
	// 100,000-id plan at 120 MB; at 100 MiB the two peak at 141 and 113
	// MB (callbench -mode inventory, -mode memory) at no measurable
	// further cost in CPU.
	memLimitFloor = 100 << 20
	// memLimitHeadroom is the live heap's share added on top of it.
	memLimitHeadroomDiv = 4
)

// memLimitFor is the soft limit for a live heap of live bytes.
func memLimitFor(live uint64) int64 {
	if live > math.MaxInt64/2 {
		return math.MaxInt64
	}
	return max(memLimitFloor, int64(live+live/memLimitHeadroomDiv))
}

// softMemoryLimit sets a memory limit that follows the live heap (see
// memLimitFor) until the returned func restores the previous one. A
// limit the user set (GOMEMLIMIT) is left alone.
func softMemoryLimit() (restore func()) {
	old := debug.SetMemoryLimit(-1)
	if old != math.MaxInt64 {
		return func() {}
	}
	var (
		mu      sync.Mutex
		stopped bool
		arm     func(struct{})
	)
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	arm = func(struct{}) {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		metrics.Read(live)
		limit := int64(memLimitFloor)
		if live[0].Value.Kind() == metrics.KindUint64 {
			limit = memLimitFor(live[0].Value.Uint64())
		}
		debug.SetMemoryLimit(limit)
		// Re-sized once the next collection frees this sentinel.
		runtime.AddCleanup(new([2]*byte), arm, struct{}{})
	}
	arm(struct{}{})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		debug.SetMemoryLimit(old)
	}
}
