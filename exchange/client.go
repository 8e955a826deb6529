package exchange

import (
	"context"
	"slices"
	"time"

	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// Observer is told what each exchange's client did, for metrics: how
// long each lookup and disconnect took, retries and back-off included,
// and, when a run's clients are closed, what retrying and throttling the
// run met.
type Observer interface {
	Request(exchange, operation string, took time.Duration)
	Retried(exchange string, s throttle.Stats)
}

// Client is one run's client for one exchange: the retry layer, fresh
// for the run, over a SOAP client that may be pooled. It is a
// soap.Caller.
type Client struct {
	name  string
	retry *throttle.Caller
	obs   Observer
	// own says the SOAP client is this run's alone, so Close closes it;
	// a pooled one is closed by its pool, and told what the run learnt.
	own  bool
	pool *Pool
	// resting: the run sent nothing, its exchange given up before.
	resting bool
}

var _ soap.Caller = (*Client)(nil)

// CallInfo implements soap.Caller.
func (c *Client) CallInfo(ctx context.Context, callID string) (soap.CallInfo, error) {
	start := time.Now()
	info, err := c.retry.CallInfo(ctx, callID)
	c.observe("lookup", start)
	return info, err
}

// Disconnect implements soap.Caller.
func (c *Client) Disconnect(ctx context.Context, callID string) error {
	start := time.Now()
	err := c.retry.Disconnect(ctx, callID)
	c.observe("disconnect", start)
	return err
}

func (c *Client) observe(op string, start time.Time) {
	if c.obs != nil {
		c.obs.Request(c.name, op, time.Since(start))
	}
}

// Close closes the SOAP client unless a pool owns it; a pool is told
// what the run learnt of the exchange.
func (c *Client) Close() {
	if c.own {
		c.retry.Close()
	}
	if c.pool != nil {
		c.pool.settle(c)
		c.pool = nil // once
	}
}

// Stats is what the client's retry layer did in this run.
func (c *Client) Stats() throttle.Stats { return c.retry.Stats() }

// Clients are one run's clients, one per exchange its calls use. The
// methods of a nil *Clients see no clients.
type Clients struct {
	byName  map[string]*Client
	callers map[string]soap.Caller
	closed  bool
}

func newClients() *Clients {
	return &Clients{byName: map[string]*Client{}, callers: map[string]soap.Caller{}}
}

func (cs *Clients) add(c *Client) {
	cs.byName[c.name] = c
	cs.callers[c.name] = c
}

// Callers maps each exchange's name to its client, for the planner and
// the applier.
func (cs *Clients) Callers() map[string]soap.Caller {
	if cs == nil {
		return nil
	}
	return cs.callers
}

// Len is the number of exchanges with a client.
func (cs *Clients) Len() int {
	if cs == nil {
		return 0
	}
	return len(cs.byName)
}

// Stats adds up what the run's clients did.
func (cs *Clients) Stats() throttle.Stats {
	var total throttle.Stats
	if cs == nil {
		return total
	}
	for _, c := range cs.byName {
		total = total.Add(c.Stats())
	}
	return total
}

// StatsByExchange is what each exchange's client did in the run.
func (cs *Clients) StatsByExchange() map[string]throttle.Stats {
	out := map[string]throttle.Stats{}
	if cs == nil {
		return out
	}
	for name, c := range cs.byName {
		out[name] = c.Stats()
	}
	return out
}

// Waiting says, for each exchange with a request that has waited longer
// than after for its answer, what callctl is waiting for, e.g. "waiting
// for exchange corp: no answer for 20s, attempt 2 of 3". Progress
// displays show it so that a slow run says why it is slow.
func (cs *Clients) Waiting(after time.Duration) []string {
	if cs == nil {
		return nil
	}
	var out []string
	for _, c := range cs.byName {
		if w, ok := c.retry.Waiting(after); ok {
			out = append(out, w.String())
		}
	}
	slices.Sort(out)
	return out
}

// GivenUp returns, per exchange, the error its run gave it up with (down,
// overloaded, credentials refused), if it did.
func (cs *Clients) GivenUp() map[string]*throttle.ExchangeError {
	out := map[string]*throttle.ExchangeError{}
	if cs == nil {
		return out
	}
	for name, c := range cs.byName {
		if xe := c.retry.GivenUp(); xe != nil {
			out[name] = xe
		}
	}
	return out
}

// Close ends the run: each client's statistics go to its observer, once,
// and the SOAP clients no pool owns are closed. It is safe to call more
// than once, and on nil.
func (cs *Clients) Close() {
	if cs == nil || cs.closed {
		return
	}
	cs.closed = true
	for name, c := range cs.byName {
		if c.obs != nil {
			c.obs.Retried(name, c.Stats())
		}
		c.Close()
	}
}
