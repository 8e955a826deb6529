package exchange

import (
	"sync"
	"time"

	"github.com/callctl/callctl/throttle"
)

type observer struct {
	mu       sync.Mutex
	requests int
	retried  map[string][]throttle.Stats
}

func (o *observer) Request(exchange, operation string, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests++
}

func (o *observer) Retried(exchange string, s throttle.Stats) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.retried == nil {
		o.retried = map[string][]throttle.Stats{}
	}
	o.retried[exchange] = append(o.retried[exchange], s)
}
