package soap

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/callctl/callctl/authkind"
)

// MaxResponseBytes caps how much of a response body is read. Real answers
// are a few kilobytes; anything past the cap is refused with
// ErrResponseTooLarge rather than buffered.
const MaxResponseBytes = 8 << 20

// unauthorizedBodyCap bounds how much of a 401 body is buffered, see
// freeUnauthorized.
const unauthorizedBodyCap = 64 << 10

// lane is one pinned connection slot: a transport that never holds more
// than one connection, wrapped by the auth kind's transport. NTLM (any
// authkind.Kind.ConnectionBound kind) authenticates a TCP connection, not
// a request (protocol.md §4.2); a Transport shared by concurrent requests
// may run the three legs of one handshake on different connections.
// Giving every in-flight request its own single-connection transport
// makes handshakes happen once per connection.
type lane struct {
	transport *http.Transport
	rt        http.RoundTripper
	// direct is, for a ConnectionBound kind, the chain under the kind's
	// transport: once the lane's connection has logged in, requests go
	// straight down it, as the Negotiator's own first, anonymous attempt
	// would, without its per-request copy of the request and its body.
	// nil when the kind is not ConnectionBound, or once the server has
	// asked again for credentials on a connection that had logged in.
	direct http.RoundTripper
	// connBound says the kind is ConnectionBound: requests then carry
	// what a handshake's legs need (see post).
	connBound bool
	// authConn is the connection the lane's last answered request rode,
	// logged in; nil before the first answer and after a 401 or an error.
	authConn net.Conn
}

// lanes is the pool of lanes; a request borrows one, so the number of
// lanes also bounds requests in flight. The lane released last is lent
// first: its connection is the one most likely still open and
// authenticated, so a run that needs fewer lanes than it has (a few calls,
// or apply -watch cycle after cycle) keeps reusing the same connections
// instead of opening, and authenticating, one per lane in turn.
type lanes struct {
	free chan struct{} // a token per idle lane
	mu   sync.Mutex
	idle []*lane // idle lanes, the last released last
	all  []*lane
	// session is what the lanes share for a kind with a NewSession
	// (Kerberos tickets); nil otherwise.
	session authkind.Session
}

func newLanes(n int, tlsConfig *tls.Config, kind *authkind.Kind, creds authkind.Credentials) (*lanes, error) {
	l := &lanes{free: make(chan struct{}, n)}
	for range n {
		// The lane's connection, and with a ConnectionBound kind its
		// login, must survive a loaded machine: see writeGate.
		gate := newWriteGate()
		tr := &http.Transport{
			Proxy: http.ProxyFromEnvironment,
			DialContext: dialGated(wrapDial((&net.Dialer{
				Timeout:   30 * time.Second,
				KeepAlive: 30 * time.Second,
			}).DialContext), gate),
			TLSClientConfig:     tlsConfig,
			TLSHandshakeTimeout: 10 * time.Second,
			MaxConnsPerHost:     1,
			MaxIdleConns:        1,
			MaxIdleConnsPerHost: 1,
			IdleConnTimeout:     90 * time.Second,
			// HTTP/2 multiplexes requests over one connection, which
			// connection-bound NTLM cannot survive; a non-nil empty
			// TLSNextProto turns the upgrade off.
			ForceAttemptHTTP2: false,
			TLSNextProto:      map[string]func(string, *tls.Conn) http.RoundTripper{},
		}
		ln := &lane{transport: tr, rt: tr}
		if kind != nil {
			var base http.RoundTripper = tr
			if kind.ChannelBound {
				base = bindNTLM{wrapLeg(tr, tr)}
			}
			if kind.ConnectionBound {
				// A handshake's legs share the connection: a 401's
				// body must not hold it, a leg's error must not be
				// lost (see freeUnauthorized, recordLegError).
				base = recordLegError{freeUnauthorized{base}}
				ln.direct, ln.connBound = base, true
			}
			if kind.NewSession != nil {
				if l.session == nil {
					s, err := kind.NewSession(creds)
					if err != nil {
						return nil, err
					}
					l.session = s
				}
				ln.rt = l.session.Transport(base)
			} else {
				rt, err := kind.Transport(base, creds)
				if err != nil {
					return nil, err
				}
				ln.rt = rt
			}
		}
		l.all = append(l.all, ln)
		l.release(ln)
	}
	return l, nil
}

func (l *lanes) acquire(ctx context.Context) (*lane, error) {
	select {
	case <-l.free:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ln := l.idle[len(l.idle)-1]
	l.idle = l.idle[:len(l.idle)-1]
	return ln, nil
}

func (l *lanes) release(ln *lane) {
	l.mu.Lock()
	l.idle = append(l.idle, ln)
	l.mu.Unlock()
	l.free <- struct{}{}
}

func (l *lanes) closeIdle() {
	for _, ln := range l.all {
		ln.transport.CloseIdleConnections()
	}
}

// close closes idle connections and ends the kind's session.
func (l *lanes) close() {
	l.closeIdle()
	if l.session != nil {
		l.session.Close()
	}
}

// wrapLeg lets a test stand between the Negotiator and the transport.
var wrapLeg = func(_ *http.Transport, rt http.RoundTripper) http.RoundTripper { return rt }

// legConns counts the distinct connections one request's handshake legs
// rode, through an httptrace hook; the legs run one after another, so it
// needs no lock.
type legConns struct {
	seen []net.Conn
}

func (l *legConns) got(info httptrace.GotConnInfo) {
	if !slices.Contains(l.seen, info.Conn) {
		l.seen = append(l.seen, info.Conn)
	}
}

// maxSplitRetries bounds how often a handshake split across connections
// is started over.
const maxSplitRetries = 2

// freeUnauthorized buffers and closes the body of a 401 answer. The
// Negotiator keeps the first 401 open until its handshake ends, and with
// one connection per transport the handshake's next leg would wait for that
// connection forever if the 401 carried a body (IIS error pages do).
type freeUnauthorized struct{ next http.RoundTripper }

func (f freeUnauthorized) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := f.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, unauthorizedBodyCap))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// legErrorKey finds, in a request's context, where recordLegError keeps a
// transport error.
type legErrorKey struct{}

// recordLegError keeps the last transport error of a handshake leg. The
// Negotiator (go-ntlmssp v0.1.1) drops an error on the AUTHENTICATE leg and
// returns the server's first 401 instead, so a reset or timeout mid-login
// would look like wrong credentials; post reports the real error.
type recordLegError struct{ next http.RoundTripper }

func (r recordLegError) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		if p, ok := req.Context().Value(legErrorKey{}).(*error); ok {
			*p = err
		}
	}
	return resp, err
}

// tlsConfig builds the client TLS settings: system roots plus CAFile,
// verification on unless the caller explicitly turned it off.
func tlsConfig(opts Options) (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: opts.InsecureSkipVerify,
	}
	if opts.CAFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(opts.CAFile)
	if err != nil {
		return nil, fmt.Errorf("reading CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificates", opts.CAFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// answer is one HTTP response with its body read (up to the cap).
type answer struct {
	StatusCode int
	Status     string
	Header     http.Header
	Body       []byte
	Binding    *ChannelBinding // on a 401 over https to a binding auth kind

	buf *bytes.Buffer // Body's pooled buffer, see release
}

// release gives the body's buffer back to the pool: Body must not be read
// afterwards.
func (a *answer) release() {
	releaseBody(a.buf)
	a.buf, a.Body = nil, nil
}

// endpoint is the dialect-independent part of a client: one URL and its
// lanes, which authenticate each request.
type endpoint struct {
	url       string
	shownURL  string // url as messages show it (shownURL)
	lanes     *lanes
	binds     bool // the auth kind binds logins to the TLS channel
	headerMu  sync.Mutex
	opHeaders map[string]http.Header // per operation, see headers
	userAgent string
	timeout   time.Duration
}

// post sends one SOAP request and reads the answer. The lane is held until
// the body has been read to the end and closed, so that the connection,
// and with NTLM its authentication, is reused by the next request.
func (e *endpoint) post(ctx context.Context, op string, payload []byte) (*answer, error) {
	ln, err := e.lanes.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: waiting for a free connection: %w", op, err)
	}
	defer e.lanes.release(ln)

	// The timeout starts once a lane is ours: time spent queueing behind
	// other requests is not this exchange's fault.
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()

	var resp *http.Response
	var binding *ChannelBinding
	relogin := false
	var legs legConns // the connections the last attempt rode
	for try := 0; ; try++ {
		var legErr, bindErr error
		legs = legConns{}
		lctx := ctx
		if ln.connBound || e.binds {
			// Where a handshake's legs note their errors and the
			// connections they rode; a kind that logs in with every
			// request needs none of it, and each costs allocations
			// on every request.
			lctx = context.WithValue(lctx, legErrorKey{}, &legErr)
			lctx = context.WithValue(lctx, bindingNoteKey{}, &bindErr)
			lctx = httptrace.WithClientTrace(lctx, &httptrace.ClientTrace{GotConn: legs.got})
		}
		if channelBindingOff {
			lctx = authkind.WithoutChannelBinding(lctx)
		}
		req, err := http.NewRequestWithContext(lctx, http.MethodPost, e.url, bytes.NewReader(payload))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		// Shared and never written: round trippers must not change a
		// request's headers (the auth kinds clone before they add theirs).
		req.Header = e.headers(op)

		direct := ln.direct != nil && ln.authConn != nil && !relogin
		if direct {
			resp, err = ln.direct.RoundTrip(req)
			if err != nil {
				ln.authConn = nil
				return nil, e.transportError(parent, ctx, op, err)
			}
			if resp.StatusCode == http.StatusUnauthorized {
				// A new connection (the server closed the old one)
				// needs its own login: through the kind, once.
				if slices.Contains(legs.seen, ln.authConn) {
					// The same connection, logged in, was refused:
					// this server wants credentials on every request.
					ln.direct = nil
				}
				ln.authConn = nil
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				relogin = true
				try--
				continue
			}
			break
		}
		resp, err = ln.rt.RoundTrip(req)
		if err == nil && resp.StatusCode == http.StatusUnauthorized && legErr != nil {
			resp.Body.Close()
			err = legErr
		}
		if err != nil {
			ln.authConn = nil
			return nil, e.transportError(parent, ctx, op, err)
		}
		// NTLM authenticates a connection, and net/http drops a
		// connection whose request it has not finished writing 50 ms
		// after the answer came (a loaded machine, the race detector):
		// the next leg then starts on a new connection, where the
		// server has no challenge to check it against and answers 401.
		// That 401 says nothing about the credentials; start over.
		if resp.StatusCode == http.StatusUnauthorized && len(legs.seen) > 1 && try < maxSplitRetries {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			continue
		}
		if resp.StatusCode == http.StatusUnauthorized && e.binds {
			binding = bindingOf(resp.TLS, bindErr)
		}
		break
	}
	if ln.direct != nil {
		ln.authConn = nil
		if n := len(legs.seen); resp.StatusCode != http.StatusUnauthorized && n > 0 {
			ln.authConn = legs.seen[n-1]
		}
	}
	defer resp.Body.Close()
	buf, err := readBody(resp.Body)
	if err != nil {
		releaseBody(buf)
		return nil, e.transportError(parent, ctx, op, err)
	}
	if buf.Len() > MaxResponseBytes {
		releaseBody(buf)
		// Closing without draining drops the connection, which is
		// cheaper than reading an unbounded remainder.
		return nil, &MalformedError{Operation: op, StatusCode: resp.StatusCode, Err: ErrResponseTooLarge}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return &answer{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, Body: buf.Bytes(), Binding: binding, buf: buf}, nil
}

// headers returns the request headers of op, made once per operation.
func (e *endpoint) headers(op string) http.Header {
	e.headerMu.Lock()
	defer e.headerMu.Unlock()
	h, ok := e.opHeaders[op]
	if !ok {
		h = http.Header{
			"Content-Type": {"text/xml; charset=utf-8"},
			"Accept":       {"text/xml"},
			"Soapaction":   {`"` + NamespaceMessages + "/" + op + `"`},
			"User-Agent":   {e.userAgent},
		}
		if e.opHeaders == nil {
			e.opHeaders = map[string]http.Header{}
		}
		e.opHeaders[op] = h
	}
	return h
}

// transportError words a failure to get an answer at all. It names the
// URL (which New guarantees carries no credentials) without its query,
// never a header.
func (e *endpoint) transportError(parent, ctx context.Context, op string, err error) error {
	if parent.Err() != nil {
		// The caller gave up (an interrupt, the run's deadline), not
		// this request's own timeout.
		return fmt.Errorf("%s: stopped before %s answered: %w", op, e.shownURL, context.Cause(parent))
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return fmt.Errorf("%s: no answer from %s within %s: %w", op, e.shownURL, Round(e.timeout), err)
	}
	var lerr authkind.LoginError
	if errors.As(err, &lerr) {
		return fmt.Errorf("%s: %s: %w", op, e.url, err)
	}
	if certificateError(err) {
		return fmt.Errorf("%s: POST %s: %w (if the server's certificate is issued by your own certificate authority, set ca_file in the exchange block to a PEM file of it)", op, e.shownURL, err)
	}
	return fmt.Errorf("%s: POST %s: %w", op, e.shownURL, err)
}

// bodyBuffers are reused to read answers, which are a few kilobytes: an
// answer is parsed where it was read, and its buffer goes back once the
// parse is done (roundTrip), instead of a slice grown by doubling, or a
// copy, for every request.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads up to MaxResponseBytes+1 bytes of r into a pooled
// buffer, which the caller gives back with releaseBody.
func readBody(r io.Reader) (*bytes.Buffer, error) {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(io.LimitReader(r, MaxResponseBytes+1))
	return buf, err
}

// releaseBody returns an answer's buffer to the pool; nothing may refer to
// its bytes afterwards.
func releaseBody(buf *bytes.Buffer) {
	if buf != nil && buf.Cap() <= 64<<10 {
		bodyBuffers.Put(buf) // an oversized answer's buffer is not kept
	}
}

// roundTrip is the shape of every operation: a request built (or its
// building failed, buildErr), sent, and its answer parsed.
func roundTrip[T any](ctx context.Context, ep *endpoint, op string, payload []byte, buildErr error, parse func(*answer) (T, error)) (T, error) {
	var zero T
	if buildErr != nil {
		return zero, buildErr
	}
	a, err := ep.post(ctx, op, payload)
	if err != nil {
		return zero, err
	}
	// Parsers copy what they keep (strings, error snippets) out of the
	// body, so its buffer can be reused once they are done.
	defer a.release()
	return parse(a)
}

// noResult adapts a parser of an answer that carries no payload.
func noResult(parse func(*answer) error) func(*answer) (struct{}, error) {
	return func(a *answer) (struct{}, error) { return struct{}{}, parse(a) }
}

// certificateError reports whether err is the server's TLS certificate
// failing verification, which ca_file is the usual cure for.
func certificateError(err error) bool {
	var (
		unknownCA x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostname  x509.HostnameError
		verify    *tls.CertificateVerificationError
	)
	return errors.As(err, &unknownCA) || errors.As(err, &invalid) || errors.As(err, &hostname) || errors.As(err, &verify)
}
