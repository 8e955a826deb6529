package throttle

import (
	"fmt"
	"sync"
	"time"

	"github.com/callctl/callctl/soap"
)

// inflight remembers when each attempt now out was sent, so that a
// progress display can say what callctl is waiting for.
type inflight struct {
	mu   sync.Mutex
	next int
	out  map[int]sent
}

type sent struct {
	at      time.Time
	attempt int
}

// start records an attempt going out; the returned func records it back.
func (f *inflight) start(attempt int) (done func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.out == nil {
		f.out = map[int]sent{}
	}
	id := f.next
	f.next++
	f.out[id] = sent{at: time.Now(), attempt: attempt}
	return func() {
		f.mu.Lock()
		delete(f.out, id)
		f.mu.Unlock()
	}
}

// oldest is the attempt that has waited longest, if any is out.
func (f *inflight) oldest() (sent, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var o sent
	found := false
	for _, s := range f.out {
		if !found || s.at.Before(o.at) {
			o, found = s, true
		}
	}
	return o, found
}

// Waiting is the request to an exchange that has waited longest for an
// answer, for a progress display.
type Waiting struct {
	Exchange string
	For      time.Duration // since it was sent
	Attempt  int           // 1 for the first try
	Attempts int           // Policy.MaxAttempts
}

func (w Waiting) String() string {
	return fmt.Sprintf("waiting for exchange %s: no answer for %s, attempt %d of %d",
		w.Exchange, soap.Round(w.For).Truncate(time.Second), w.Attempt, w.Attempts)
}

// Waiting returns the request that has waited longest for an answer,
// if one has waited at least longer.
func (c *Caller) Waiting(longer time.Duration) (Waiting, bool) {
	s, ok := c.inflight.oldest()
	if !ok {
		return Waiting{}, false
	}
	d := time.Since(s.at)
	if d < longer {
		return Waiting{}, false
	}
	return Waiting{Exchange: c.p.Exchange, For: d, Attempt: s.attempt, Attempts: c.p.MaxAttempts}, true
}
