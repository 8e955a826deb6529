package soap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/callctl/callctl/authkind"
)

// Retryable reports whether err is transient, so that sending the same
// request again later may succeed, and the wait the server asked for
// (BackOffMilliseconds or Retry-After), 0 when it named none. Transient
// are: ErrorServerBusy, ErrorInternalServerTransientError and
// ErrorExceededConnectionCount (as fault or in-body error); HTTP 429, 502,
// 503, 504 and a 500 without a SOAP fault (IIS's error page); and connection
// resets, early EOFs and timeouts. A cancelled context is not transient.
func Retryable(err error) (bool, time.Duration) {
	if err == nil {
		return false, 0
	}
	var (
		fault *Fault
		rerr  *ResponseError
		herr  *HTTPError
		merr  *MalformedError
	)
	var lerr authkind.LoginError
	if errors.As(err, &lerr) {
		// A refused login is never retried (it would count toward a
		// lockout); an unreachable KDC may be back shortly.
		return !lerr.LoginRefused(), 0
	}
	switch {
	case errors.As(err, &merr):
		// The server answered in full, just not with a usable message;
		// sending the same request again would get the same answer.
		return false, 0
	case errors.As(err, &fault):
		return fault.hasCode(transientCodes), fault.BackOff
	case errors.As(err, &rerr):
		return transientCodes[rerr.Code], rerr.BackOff
	case errors.As(err, &herr):
		switch herr.StatusCode {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable,
			http.StatusGatewayTimeout, http.StatusTooManyRequests:
			return true, herr.RetryAfter
		}
		return false, 0
	case errors.Is(err, context.Canceled):
		return false, 0
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE),
		// The transport's view of a connection the server closed while
		// the request was still being written.
		errors.Is(err, net.ErrClosed):
		return true, 0
	}
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return true, 0
	}
	return false, 0
}

// parseRetryAfter reads a Retry-After value, either delay-seconds or an
// HTTP-date (RFC 9110 §10.2.3), relative to now. Absent, unparsable or past
// values give 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		const maxSecs = int64(1<<63-1) / int64(time.Second)
		if secs > maxSecs {
			secs = maxSecs
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// NeverSent reports whether err shows that the request never reached the
// server: the connection could not be made (refused, unreachable, a name
// that does not resolve). Such an attempt cannot have taken effect, unlike
// one cut off after it was written (a reset, a timeout).
func NeverSent(err error) bool {
	var (
		op      *net.OpError
		dns     *net.DNSError
		verify  *tls.CertificateVerificationError
		record  tls.RecordHeaderError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &dns), errors.As(err, &verify), errors.As(err, &record),
		errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid):
		// No name, or a TLS handshake that failed: nothing was written.
		return true
	}
	return errors.As(err, &op) && op.Op == "dial"
}

// Answered reports whether err carries the server's answer about the
// request (a fault, an error response, an HTTP error status or an
// unusable body), as opposed to no answer at all (a timeout, a reset, a
// refused connection). After a disconnect with no answer, the call may or
// may not have ended.
//
// A server error page (HTTP 500, 502, 504, any 5xx but 503) is no answer
// about the request: the server, or the one behind a gateway, may have
// carried the operation out before failing. A 503 or 429 turns the request
// away, and any 4xx refuses it, before it is carried out.
func Answered(err error) bool {
	var (
		fault *Fault
		rerr  *ResponseError
		herr  *HTTPError
		merr  *MalformedError
	)
	if errors.As(err, &herr) {
		return herr.StatusCode < 500 || herr.StatusCode == http.StatusServiceUnavailable
	}
	return errors.As(err, &fault) || errors.As(err, &rerr) || errors.As(err, &merr)
}
