package soap

import (
	"context"
	"net"
	"testing"
	"time"
)

// slowAfterWrite is a socket whose writes return late, as a write does on
// a loaded machine when its goroutine waits for a CPU after the system
// call: the bytes are on their way, and the answer may come back, before
// the writer is told.
type slowAfterWrite struct {
	net.Conn
	delay time.Duration
}

func (c slowAfterWrite) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	time.Sleep(c.delay)
	return n, err
}

// net/http keeps a connection only if its writer reports the request
// written within 50 ms of the answer being read. A lane must keep its
// connection, and the NTLM login on it, however late its writes return:
// one connection, one handshake, for sequential requests.
func TestLaneKeepsItsConnectionWhenWritesReturnLate(t *testing.T) {
	old := wrapDial
	wrapDial = func(dial dialFunc) dialFunc {
		return func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			// Well past net/http's 50 ms.
			return slowAfterWrite{Conn: c, delay: 150 * time.Millisecond}, nil
		}
	}
	t.Cleanup(func() { wrapDial = old })

	const requests = 4
	srv := newFakeNTLM(t, "alice", "CORP", 1, fixture(t, "ews_getphonecallinformation_response.xml"))
	c, _, viaKind := newPinnedClient(t, srv)
	lookups(t, c, requests)
	if conns, hs := srv.conns.Load(), srv.handshakes.Load(); conns != 1 || hs != 1 {
		t.Errorf("%d connections, %d handshakes, want 1 and 1", conns, hs)
	}
	if got := viaKind.Load(); got != 1 {
		t.Errorf("%d requests went through the Negotiator, want only the first (the login)", got)
	}
	if got := srv.outOfSequence.Load(); got != 0 {
		t.Errorf("%d AUTHENTICATE messages out of sequence", got)
	}
}
