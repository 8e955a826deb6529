package soap

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/callctl/callctl/authkind"
)

// countingRT counts the requests sent through the auth kind's transport.
type countingRT struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (c countingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// newPinnedClient is an NTLM client of srv with one lane whose kind
// transport (the Negotiator) counts the requests it is given.
func newPinnedClient(t *testing.T, srv *fakeNTLM) (Caller, *lane, *atomic.Int64) {
	t.Helper()
	c := mustNew(t, Options{URL: srv.URL, Auth: authkind.NTLM, Parallelism: 1,
		Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "secret"}})
	ln := c.(*EWSClient).ep.lanes.all[0]
	n := new(atomic.Int64)
	ln.rt = countingRT{next: ln.rt, n: n}
	return c, ln, n
}

func lookups(t *testing.T, c Caller, n int) {
	t.Helper()
	for i := range n {
		if _, err := c.CallInfo(context.Background(), "id"); err != nil {
			t.Fatalf("lookup %d: %v", i, err)
		}
	}
}

// Once a lane's connection has logged in, its requests skip the
// Negotiator (and its copy of every request and body): one login, every
// later request straight down the connection.
func TestNTLMPinnedConnectionSkipsTheNegotiator(t *testing.T) {
	const requests = 10
	srv := newFakeNTLM(t, "alice", "CORP", 1, fixture(t, "ews_getphonecallinformation_response.xml"))
	c, ln, viaKind := newPinnedClient(t, srv)
	lookups(t, c, requests)
	if got := viaKind.Load(); got != 1 {
		t.Errorf("%d requests went through the Negotiator, want only the first (the login)", got)
	}
	if conns, hs := srv.conns.Load(), srv.handshakes.Load(); conns != 1 || hs != 1 {
		t.Errorf("%d connections, %d handshakes, want 1 and 1", conns, hs)
	}
	if got := srv.served.Load(); got != requests {
		t.Errorf("served %d, want %d", got, requests)
	}
	if ln.direct == nil || ln.authConn == nil {
		t.Error("the lane no longer skips the login on its connection")
	}
}

// A server that closes the connection (idle timeout, recycled worker)
// leaves the lane on a new one that has not logged in: the direct request
// is refused and the lane logs in again, invisibly to the caller.
func TestNTLMPinnedConnectionLogsInAgainOnANewConnection(t *testing.T) {
	const requests = 5
	srv := newFakeNTLM(t, "alice", "CORP", 1, fixture(t, "ews_getphonecallinformation_response.xml"))
	srv.closeEach = true
	c, ln, viaKind := newPinnedClient(t, srv)
	lookups(t, c, requests)
	if conns, hs := srv.conns.Load(), srv.handshakes.Load(); conns != requests || hs != requests {
		t.Errorf("%d connections, %d handshakes, want %d of each", conns, hs, requests)
	}
	if got := viaKind.Load(); got != requests {
		t.Errorf("%d logins through the Negotiator, want %d", got, requests)
	}
	if ln.direct == nil {
		t.Error("a closed connection turned the direct path off for good")
	}
	if got := srv.outOfSequence.Load(); got != 0 {
		t.Errorf("%d AUTHENTICATE messages out of sequence", got)
	}
}

// A server that wants a login for every request, even on a connection
// that has logged in, costs one refused direct request: after that the
// lane goes through the Negotiator every time.
func TestNTLMServerThatForgetsLoginsTurnsTheDirectPathOff(t *testing.T) {
	const requests = 5
	srv := newFakeNTLM(t, "alice", "CORP", 1, fixture(t, "ews_getphonecallinformation_response.xml"))
	srv.forgetLogin = true
	c, ln, viaKind := newPinnedClient(t, srv)
	lookups(t, c, requests)
	if ln.direct != nil {
		t.Error("the lane still skips logins on a server that forgets them")
	}
	if got := viaKind.Load(); got != requests {
		t.Errorf("%d requests through the Negotiator, want all %d", got, requests)
	}
	// One anonymous attempt per login (the Negotiator's own), and one
	// direct request refused.
	if got := srv.anonymous.Load(); got != requests+1 {
		t.Errorf("%d anonymous requests, want %d", got, requests+1)
	}
	if got := srv.served.Load(); got != requests {
		t.Errorf("served %d, want %d", got, requests)
	}
}

// Answers are parsed in pooled buffers that the next answer reuses: what
// a lookup returns (states, fault and error texts) must not change when
// the buffer is written again.
func TestResultsOutliveTheirPooledBuffer(t *testing.T) {
	answers := [][]byte{
		fixture(t, "ews_getphonecallinformation_response.xml"),
		fixture(t, "ews_fault_serverbusy_types.xml"),
		[]byte(`<html><head><title>Service Unavailable</title></head><body>down</body></html>`),
		bytes.Repeat([]byte("x"), 4000),
	}
	statuses := []int{200, 500, 503, 502}
	var n atomic.Int64
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)-1) % len(answers)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		if i == 2 {
			w.Header().Set("Content-Type", "text/html")
		}
		w.WriteHeader(statuses[i])
		w.Write(answers[i])
	}))
	c := mustNew(t, Options{URL: srv.URL + "/EWS/Exchange.asmx", Parallelism: 1})
	var (
		infos []CallInfo
		errs  []error
		texts []string // each result worded as soon as it came
	)
	for range answers {
		info, err := c.CallInfo(context.Background(), "id")
		infos, errs = append(infos, info), append(errs, err)
		texts = append(texts, fmt.Sprintf("%+v %v", info, err))
	}
	if infos[0].State != "Connected" || errs[1] == nil || errs[2] == nil || errs[3] == nil {
		t.Fatalf("unexpected first round: %+v %v", infos, errs)
	}
	// The same buffers, written over by other answers; the results are
	// worded again only now.
	for range 2 * len(answers) {
		c.CallInfo(context.Background(), "id")
	}
	for i := range answers {
		if got := fmt.Sprintf("%+v %v", infos[i], errs[i]); got != texts[i] {
			t.Errorf("answer %d changed when its buffer was reused:\nbefore %s\nafter  %s", i, texts[i], got)
		}
	}
}
