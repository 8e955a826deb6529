package watch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/soap"
)

// Pool keeps each exchange's client across cycles, so that its
// connections, and with NTLM their authentication, outlive a cycle. A
// client is kept while its exchange block's settings stay the same; an
// edited block gets a new client and the old one is closed. It implements
// operation.ClientSource.
type Pool struct {
	// Metrics, when set, times every lookup and disconnect.
	Metrics RequestObserver

	mu      sync.Mutex
	clients map[string]*pooled // by exchange name
}

// RequestObserver is told how long each lookup and disconnect took.
type RequestObserver interface {
	Request(exchange, operation string, took time.Duration)
}

type pooled struct {
	key    string // settingsKey of the exchange block it was built for
	caller soap.Caller
	// seen is the retry statistics already reported, see RetryDeltas.
	seen reconcile.RetryStats
}

// NewPool returns an empty pool.
func NewPool() *Pool { return &Pool{clients: map[string]*pooled{}} }

// settingsKey fingerprints everything a client is built from: the
// exchange block's settings (credentials included, so that a rotated
// password makes a new client) and the run's connect options. It is kept
// in memory only.
func settingsKey(ex *config.Exchange, opts reconcile.ConnectOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "%#v\n%#v", reconcile.ClientOptions(ex, opts.Parallelism), opts)
	return hex.EncodeToString(h.Sum(nil))
}

// Connect returns a client for each exchange the calls use, reusing the
// pool's when the exchange's settings are unchanged and building the
// others as reconcile.Connect does. Clients of exchanges the policy no
// longer declares, or declares differently, are closed.
func (p *Pool) Connect(policy *config.Policy, calls []*config.Call, opts reconcile.ConnectOptions) (map[string]soap.Caller, hcl.Diagnostics) {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := map[string]string{}
	for name, ex := range policy.Exchanges {
		keys[name] = settingsKey(ex, opts)
	}
	for name, c := range p.clients {
		if keys[name] != c.key {
			c.caller.Close()
			delete(p.clients, name)
		}
	}
	var fresh []*config.Call
	for _, c := range calls {
		if _, ok := p.clients[c.Exchange]; !ok {
			fresh = append(fresh, c)
		}
	}
	var diags hcl.Diagnostics
	if len(fresh) > 0 {
		var built map[string]soap.Caller
		built, diags = reconcile.Connect(policy, fresh, opts)
		for name, c := range built {
			if p.Metrics != nil {
				c = &timed{Caller: c, exchange: name, obs: p.Metrics}
			}
			p.clients[name] = &pooled{key: keys[name], caller: c}
		}
	}
	out := map[string]soap.Caller{}
	for _, c := range calls {
		if pc, ok := p.clients[c.Exchange]; ok && out[c.Exchange] == nil {
			out[c.Exchange] = newSince(pc.caller)
		}
	}
	return out, diags
}

// RetryDeltas returns, per exchange, the retrying and throttling its
// client met since the last call.
func (p *Pool) RetryDeltas() map[string]reconcile.RetryStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]reconcile.RetryStats{}
	for name, c := range p.clients {
		now := reconcile.TotalRetryStats(map[string]soap.Caller{name: c.caller})
		out[name] = reconcile.RetryStats{
			Attempts:  now.Attempts - c.seen.Attempts,
			Retries:   now.Retries - c.seen.Retries,
			Throttled: now.Throttled - c.seen.Throttled,
			GateWaits: now.GateWaits - c.seen.GateWaits,
			Backoff:   now.Backoff - c.seen.Backoff,
		}
		c.seen = now
	}
	return out
}

// Close closes every client.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, c := range p.clients {
		c.caller.Close()
		delete(p.clients, name)
	}
}
