package exchange

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// Pool keeps each exchange's SOAP client across runs, so that its
// connections, and with NTLM their authentication, outlive a run. A
// client is kept while its exchange block's settings and the run options
// stay the same; an edited block gets a new client and the old one is
// closed. Each run gets a fresh retry layer over the pooled client, so a
// run starts healthy whatever the previous one met; only a refused login
// is remembered, until the credentials change.
type Pool struct {
	// Observer, when set, is told of every run's requests and retries.
	Observer Observer
	// RestBase, when set, rests an exchange a run gave up as down or
	// overloaded: later runs send it nothing for RestBase (jittered),
	// doubling with each give-up in a row up to RestCap (default
	// DefaultRestCap), until a run in which it answers. Zero tries it in
	// every run.
	RestBase, RestCap time.Duration
	// Now and Random (in [0, 1)) are the clock and the jitter; nil is
	// the real ones.
	Now    func() time.Time
	Random func() float64

	mu      sync.Mutex
	clients map[string]*pooled // by exchange name
}

type pooled struct {
	key  string // settingsKey of the exchange block it was built for
	soap soap.Caller
	// last is the retry layer of the last run lent the client, which
	// says whether that run's login was refused.
	last *throttle.Caller
	// refused is a refused login, kept until the settings change.
	refused *throttle.ExchangeError
	rest    rest
}

// NewPool returns an empty pool.
func NewPool() *Pool { return &Pool{clients: map[string]*pooled{}} }

// settingsKey fingerprints everything a SOAP client is built from: the
// exchange block's settings (credentials included, so that a rotated
// password makes a new client) and the run's options. It is kept in
// memory only.
func settingsKey(ex *config.Exchange, opts Options) string {
	h := sha256.New()
	fmt.Fprintf(h, "%#v\n%#v", SOAPOptions(ex, opts), opts)
	return hex.EncodeToString(h.Sum(nil))
}

// Connect returns one run's client for each exchange the calls use, over
// the pool's SOAP clients when the exchange's settings are unchanged and
// over new ones otherwise. SOAP clients of exchanges the policy no longer
// declares, or declares differently, are closed. Closing the returned
// Clients leaves the SOAP clients to the pool.
func (p *Pool) Connect(policy *config.Policy, calls []*config.Call, opts Options) (*Clients, hcl.Diagnostics) {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := map[string]string{}
	for name, ex := range policy.Exchanges {
		keys[name] = settingsKey(ex, opts)
	}
	for name, pc := range p.clients {
		if keys[name] != pc.key {
			pc.soap.Close()
			delete(p.clients, name)
		}
	}
	cs := newClients()
	diags := eachExchange(policy, calls, func(name string, ex *config.Exchange) *hcl.Diagnostic {
		pc := p.clients[name]
		if pc == nil {
			sc, d := newSOAP(name, ex, opts)
			if d != nil {
				return d
			}
			pc = &pooled{key: keys[name], soap: sc}
			p.clients[name] = pc
		}
		verdict := pc.refused
		if verdict == nil {
			verdict = pc.rest.resting(name, p.now())
		}
		pc.last = wrap(name, pc.soap, opts, verdict)
		cs.add(&Client{name: name, retry: pc.last, obs: p.Observer, pool: p, resting: verdict != nil})
		return nil
	})
	return cs, diags
}

// settle takes what a run learnt about an exchange back into the pool: a
// refused login, or a give-up that rests the exchange.
func (p *Pool) settle(c *Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pc := p.clients[c.name]
	if pc == nil || pc.last != c.retry || c.resting {
		return // replaced meanwhile, or never tried
	}
	if xe := c.retry.GivenUp(); xe != nil && xe.Kind == throttle.KindAuth {
		pc.refused = xe
		return
	}
	if p.RestBase > 0 {
		ceiling := p.RestCap
		if ceiling <= 0 {
			ceiling = DefaultRestCap
		}
		random := p.Random
		if random == nil {
			random = defaultRandom
		}
		pc.rest.after(c.retry, p.now(), p.RestBase, max(ceiling, p.RestBase), random)
	}
}

// NextTries lists the exchanges resting after a give-up, with how long
// until each is tried again, by name.
func (p *Pool) NextTries() []NextTry {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	var out []NextTry
	for name, pc := range p.clients {
		if pc.refused == nil && pc.rest.verdict != nil && now.Before(pc.rest.next) {
			out = append(out, NextTry{Exchange: name, In: pc.rest.next.Sub(now)})
		}
	}
	slices.SortFunc(out, func(a, b NextTry) int { return strings.Compare(a.Exchange, b.Exchange) })
	return out
}

func (p *Pool) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Close closes every pooled client.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, pc := range p.clients {
		pc.soap.Close()
		delete(p.clients, name)
	}
}
