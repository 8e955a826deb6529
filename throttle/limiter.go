package throttle

import (
	"context"
	"sync"
)

// limiter is a semaphore whose size adapts AIMD-style: lowered when the
// exchange says it is overloaded (see overloaded), raised by one after
// every recoverAfter successes, never below 1 nor above max.
type limiter struct {
	max, recoverAfter int

	// mu guards everything below.
	mu        sync.Mutex
	limit     int
	inFlight  int
	waiting   int // acquirers blocked for a slot
	successes int // since the limit last changed
	// gen counts decreases. A request remembers the gen it started
	// under, and only an overload answer to a request started under the
	// current gen halves the limit: the answers to one burst say the same
	// thing once, not once per request in it.
	gen uint64
	// changed is closed, and replaced, whenever a slot may have come
	// free, waking every waiter to look again.
	changed chan struct{}
}

func newLimiter(max, recoverAfter int) *limiter {
	return &limiter{max: max, recoverAfter: recoverAfter, limit: max, changed: make(chan struct{})}
}

// acquire takes a slot, returning the generation it was taken under.
func (l *limiter) acquire(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	for {
		l.mu.Lock()
		if l.inFlight < l.limit {
			l.inFlight++
			gen := l.gen
			l.mu.Unlock()
			return gen, nil
		}
		changed := l.changed
		l.waiting++
		l.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
		}
		l.mu.Lock()
		l.waiting--
		l.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
}

func (l *limiter) release() {
	l.mu.Lock()
	l.inFlight--
	l.wakeLocked()
	l.mu.Unlock()
}

// succeeded records an answer that showed the exchange keeping up.
func (l *limiter) succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit >= l.max {
		return
	}
	l.successes++
	if l.successes >= l.recoverAfter {
		l.limit++
		l.successes = 0
		l.wakeLocked()
	}
}

// overloaded records an overload answer to a request started under gen.
// With advised set the answer named a back-off, which the gate already
// makes every request wait out: the limit drops by a quarter, so that the
// lanes each gate opening lets out stay many (fewer lanes per opening is
// more openings, and so more back-offs, for the same calls). Without one
// (too many connections, a 503 without Retry-After) concurrency itself is
// the complaint, and the limit halves.
func (l *limiter) overloaded(gen uint64, advised bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if gen != l.gen {
		return
	}
	l.gen++
	if advised {
		l.limit = max(1, l.limit-max(1, l.limit/4))
	} else {
		l.limit = max(1, l.limit/2)
	}
	l.successes = 0
}

func (l *limiter) current() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

func (l *limiter) wakeLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}
