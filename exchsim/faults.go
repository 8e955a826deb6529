package exchsim

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Faults are fault-injection knobs. Each rate is the share of
// authenticated SOAP requests that get that fault; one seeded draw per
// request picks at most one fault, so the sequence of faults is the same
// for the same Seed and request order. Rates must sum to at most 1.
type Faults struct {
	ServerBusyRate      float64       // EWS ErrorServerBusy SOAP fault, HTTP 500
	BackOff             time.Duration // its BackOffMilliseconds value
	ConnectionCountRate float64       // EWS in-body ErrorExceededConnectionCount, HTTP 200
	UnavailableRate     float64       // HTTP 503 with Retry-After
	RetryAfter          time.Duration // Retry-After value, rounded up to whole seconds
	ResetRate           float64       // the operation runs, then a partial response and a TCP reset
	HangRate            float64       // no response until the client gives up or Close
	HTMLErrorRate       float64       // ASP.NET "Server Error in '/EWS' Application" page, HTTP 500
	SlowFirstByte       time.Duration // delay before every response's first byte
	// HangAll leaves every SOAP request unanswered, before
	// authentication too: a server that accepts connections and never
	// answers. Stats count each under FaultHang.
	HangAll bool
	// FailCalls are call ids that every request naming them (lookup or
	// disconnect) is answered with an HTML 500 page: a server that
	// breaks on one call while serving the others. Stats count each
	// under FaultHTMLError.
	FailCalls []string
	// ForgeState and ForgeCause, when set, are what every lookup
	// reports as the call's PhoneCallState (CallState) and
	// ConnectionFailureCause (EventCause), whatever the call's own: a
	// hostile or broken server, such as one answering with a newline, a
	// C1 control or a bidi override. XML carries neither ESC nor most C0
	// controls, so those are replaced (U+FFFD) on the wire.
	ForgeState, ForgeCause string
	Seed                   int64
}

// reported returns what a lookup of c reports: its state and cause, or
// the forged ones.
func (f Faults) reported(c Call) (state, cause string) {
	state, cause = c.State, c.cause()
	if f.ForgeState != "" {
		state = f.ForgeState
	}
	if f.ForgeCause != "" {
		cause = f.ForgeCause
	}
	return state, cause
}

// Fault kinds, the keys of Stats.Faults.
const (
	FaultServerBusy      = "server_busy"
	FaultConnectionCount = "connection_count"
	FaultUnavailable     = "unavailable"
	FaultReset           = "reset"
	FaultHang            = "hang"
	FaultHTMLError       = "html_error"
	FaultSlowFirstByte   = "slow_first_byte"
)

// rates lists the rate knobs in the fixed order the draw walks them.
func (f Faults) rates() []struct {
	kind string
	rate float64
} {
	return []struct {
		kind string
		rate float64
	}{
		{FaultServerBusy, f.ServerBusyRate},
		{FaultConnectionCount, f.ConnectionCountRate},
		{FaultUnavailable, f.UnavailableRate},
		{FaultReset, f.ResetRate},
		{FaultHang, f.HangRate},
		{FaultHTMLError, f.HTMLErrorRate},
	}
}

func (f Faults) validate() error {
	var sum float64
	for _, r := range f.rates() {
		if !(r.rate >= 0 && r.rate <= 1) { // also catches NaN
			return fmt.Errorf("exchsim: fault rate %s = %v, want 0..1", r.kind, r.rate)
		}
		sum += r.rate
	}
	if sum > 1+1e-9 {
		return fmt.Errorf("exchsim: fault rates sum to %v, want at most 1", sum)
	}
	for n, d := range map[string]time.Duration{"backoff": f.BackOff, "retry-after": f.RetryAfter, "slow-first-byte": f.SlowFirstByte} {
		if d < 0 {
			return fmt.Errorf("exchsim: negative %s %v", n, d)
		}
	}
	return nil
}

// failsCall reports whether op names a call in FailCalls.
func (f Faults) failsCall(op *node) bool {
	if len(f.FailCalls) == 0 || op == nil {
		return false
	}
	var id string
	if el := op.child(nsMessages, "PhoneCallId"); el != nil {
		id, _ = el.attr("Id") // EWS
	} else if el := op.child(nsMessages, "CallId"); el != nil {
		id = el.Text // Exchange 2007 UM
	}
	return id != "" && slices.Contains(f.FailCalls, id)
}

// pickFault draws the fault, if any, for one request.
func (s *Server) pickFault() string {
	rates := s.Faults.rates()
	var total float64
	for _, r := range rates {
		total += r.rate
	}
	if total == 0 {
		return ""
	}
	s.mu.Lock()
	x := s.rng.Float64()
	s.mu.Unlock()
	for _, r := range rates {
		if x < r.rate {
			return r.kind
		}
		x -= r.rate
	}
	return ""
}

// injectFault answers a request with fault kind; every kind but a reset
// answers instead of running the operation.
func (s *Server) injectFault(kind string, d dialect, w http.ResponseWriter, r *http.Request, op *node) {
	switch kind {
	case FaultServerBusy:
		d.serverBusy(w, s.Faults.BackOff)
	case FaultConnectionCount:
		d.connectionCount(w, op)
	case FaultUnavailable:
		secs := int64((s.Faults.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		w.Header().Set("Content-Type", "text/html; charset=us-ascii")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(unavailablePage))
	case FaultHTMLError:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(serverErrorPage))
	case FaultReset:
		resetConnection(w)
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		// Send nothing at all: the client sees its own timeout or, on
		// Close, the connection drop.
		panic(http.ErrAbortHandler)
	}
}

// resetConnection writes the start of a response, then resets the TCP
// connection (SO_LINGER 0 makes Close send RST rather than FIN).
func resetConnection(w http.ResponseWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	// Write errors do not matter: the point is a broken response.
	buf.WriteString(partialResponse)
	buf.Flush()
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0) // if this fails, a FIN still cuts the response short
	}
}

// partialResponse promises 4096 bytes of body and delivers a few.
const partialResponse = "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: 4096\r\n\r\n" +
	`<?xml version="1.0" encoding="utf-8"?><s:Envelope`

const unavailablePage = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">
<HTML><HEAD><TITLE>Service Unavailable</TITLE>
<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>
<BODY><h2>Service Unavailable</h2>
<hr><p>HTTP Error 503. The service is unavailable.</p>
</BODY></HTML>
`

const serverErrorPage = `<!DOCTYPE html>
<html>
    <head>
        <title>Runtime Error</title>
    </head>
    <body bgcolor="white">
            <span><H1>Server Error in '/EWS' Application.<hr width=100% size=1 color=silver></H1>
            <h2> <i>Runtime Error</i> </h2></span>
            <b> Description: </b>An application error occurred on the server.
    </body>
</html>
`
