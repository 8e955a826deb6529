package watch

import (
	"context"
	"testing"
	"time"

	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

type countingCaller struct {
	soap.Caller
	s      throttle.Stats
	closed bool
}

func (c *countingCaller) Stats() throttle.Stats { return c.s }
func (c *countingCaller) Close()                { c.closed = true }
func (c *countingCaller) CallInfo(context.Context, string) (soap.CallInfo, error) {
	return soap.CallInfo{}, nil
}

// A cycle's client reports the cycle's retries, not the pooled client's
// lifetime total, and closing it leaves the pooled client open.
func TestSinceCountsFromTheLoan(t *testing.T) {
	c := &countingCaller{s: throttle.Stats{Attempts: 10, Retries: 4, Throttled: 2, GateWaits: 1, Backoff: time.Second, Limit: 5}}
	s := newSince(c)
	c.s = throttle.Stats{Attempts: 13, Retries: 5, Throttled: 3, GateWaits: 1, Backoff: 3 * time.Second, Limit: 4}
	want := throttle.Stats{Attempts: 3, Retries: 1, Throttled: 1, Backoff: 2 * time.Second, Limit: 4}
	if got := s.Stats(); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
	s.Close()
	if c.closed {
		t.Error("closing a cycle's client closed the pooled one")
	}
}
