package soap

import (
	"context"
	"net"
)

// Why a lane's connection lets no answer be read while a request is still
// being written to it:
//
// net/http returns a connection to its idle pool only if, once an answer
// has been read (its body to the end; at once for an answer without a
// body, such as many a 401 of an NTLM handshake), its writing goroutine
// has reported the request written, and it waits 50 ms for that report
// (maxWriteWaitBeforeConnReuse). The writing goroutine reports only after
// its last write to the socket returns. On a loaded machine, or under the
// race detector, the server's answer can arrive and be read while that
// goroutine still waits for a CPU to come back from the write's system
// call; the connection is then closed instead of reused. For a
// ConnectionBound kind (NTLM, Kerberos) that costs a new connection and a
// new login, and it splits a handshake whose next leg has to go out on a
// new connection that never saw the challenge.
//
// So the bytes of an answer are handed to net/http only once no write to
// the connection is under way: what is then left of the writing
// goroutine's work (its report) neither blocks nor makes a system call.
// Requests are a few kilobytes, well under a socket's send buffer, so a
// write ends (or fails) whether or not the server reads it.

// writeGate is held while a lane's connection is being written to.
type writeGate chan struct{}

func newWriteGate() writeGate { return make(writeGate, 1) }

// gatedConn is a lane's connection (see above).
type gatedConn struct {
	net.Conn
	gate writeGate
}

func (c gatedConn) Write(p []byte) (int, error) {
	c.gate <- struct{}{}
	defer func() { <-c.gate }()
	return c.Conn.Write(p)
}

func (c gatedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		// Wait out a write under way.
		c.gate <- struct{}{}
		<-c.gate
	}
	return n, err
}

// dialGated dials with dial and gates the connection (see above); a lane
// holds one connection at a time, so one gate per lane.
func dialGated(dial dialFunc, gate writeGate) dialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return gatedConn{Conn: c, gate: gate}, nil
	}
}

// dialFunc is how a lane's transport dials.
type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// wrapDial lets a test stand between a lane's gate and its sockets.
var wrapDial = func(dial dialFunc) dialFunc { return dial }
