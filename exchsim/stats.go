package exchsim

import (
	"encoding/json"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
)

// Stats counts what the server saw, for tests that assert on client
// behaviour (retries, handshakes per connection, ...).
type Stats struct {
	// Requests counts SOAP requests per operation name that got past
	// authentication, whether answered normally or with an injected
	// fault. Both dialects' PlayOnPhone count under "PlayOnPhone".
	Requests map[string]int64 `json:"requests"`
	// HTTPRequests counts every request to a SOAP endpoint, including
	// 401 legs. Admin (/_exchsim/) requests are not counted.
	HTTPRequests int64 `json:"http_requests"`
	// Connections counts accepted TCP connections, admin ones included.
	Connections    int64 `json:"connections"`
	NTLMHandshakes int64 `json:"ntlm_handshakes"` // completed successfully
	// KerberosLogins counts accepted Kerberos AP-REQs, one per
	// connection a client keeps.
	KerberosLogins int64 `json:"kerberos_logins"`
	AuthFailures   int64 `json:"auth_failures"` // wrong credentials, garbage tokens, refused bindings
	// CBTMissing and CBTMismatch count logins refused by Extended
	// Protection (also counted in AuthFailures): right credentials with
	// no channel binding under EPARequire, or with a binding for another
	// certificate (a TLS-terminating proxy in between).
	CBTMissing  int64 `json:"cbt_missing"`
	CBTMismatch int64 `json:"cbt_mismatch"`
	// CBTValid counts logins that carried the right channel binding,
	// under any -epa mode: with EPAAllow, the clients that bind.
	CBTValid int64            `json:"cbt_valid"`
	Faults   map[string]int64 `json:"faults"` // per injected fault kind
}

// counters back Stats. The scalar counters are atomics; mu guards the two
// maps.
type counters struct {
	httpRequests, connections, handshakes, authFailures atomic.Int64
	cbtMissing, cbtMismatch, cbtValid, kerberosLogins   atomic.Int64

	mu       sync.Mutex
	requests map[string]int64
	faults   map[string]int64
}

func (c *counters) init() {
	c.requests = make(map[string]int64)
	c.faults = make(map[string]int64)
}

func (c *counters) request(op string) {
	c.mu.Lock()
	c.requests[op]++
	c.mu.Unlock()
}

func (c *counters) fault(kind string) {
	c.mu.Lock()
	c.faults[kind]++
	c.mu.Unlock()
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{
		Requests:       maps.Clone(c.requests),
		HTTPRequests:   c.httpRequests.Load(),
		Connections:    c.connections.Load(),
		NTLMHandshakes: c.handshakes.Load(),
		AuthFailures:   c.authFailures.Load(),
		CBTMissing:     c.cbtMissing.Load(),
		CBTMismatch:    c.cbtMismatch.Load(),
		CBTValid:       c.cbtValid.Load(),
		KerberosLogins: c.kerberosLogins.Load(),
		Faults:         maps.Clone(c.faults),
	}
}

// serveAdminCalls serves GET /_exchsim/calls. Admin endpoints need no
// authentication: they are for the test harness, not the client under test.
func (s *Server) serveAdminCalls(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, callsFile{Calls: s.Calls()})
}

// serveAdminStats serves GET /_exchsim/stats.
func (s *Server) serveAdminStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, s.Stats())
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v) // an error means the client went away
}
