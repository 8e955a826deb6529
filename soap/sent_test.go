package soap

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"
)

// TestAnsweredAndNeverSent holds the journal's truth about sending: an
// error that says what became of the request is an answer; a server
// error page is not (the operation may have run before it); only a
// failure before any byte was written is "never sent".
func TestAnsweredAndNeverSent(t *testing.T) {
	post := func(err error) error { return &url.Error{Op: "Post", URL: "https://ex/EWS/Exchange.asmx", Err: err} }
	tests := map[string]struct {
		err                 error
		answered, neverSent bool
	}{
		"SOAP fault":            {&Fault{Operation: "DisconnectPhoneCall"}, true, false},
		"error response":        {&ResponseError{Operation: "DisconnectPhoneCall", Code: "ErrorInvalidPhoneCallId"}, true, false},
		"401":                   {&HTTPError{StatusCode: 401}, true, false},
		"429":                   {&HTTPError{StatusCode: 429}, true, false},
		"503":                   {&HTTPError{StatusCode: 503}, true, false},
		"HTML 500":              {&HTTPError{StatusCode: 500}, false, false},
		"502 from a gateway":    {&HTTPError{StatusCode: 502}, false, false},
		"504 from a gateway":    {&HTTPError{StatusCode: 504}, false, false},
		"malformed body":        {&MalformedError{Operation: "DisconnectPhoneCall"}, true, false},
		"reset":                 {post(syscall.ECONNRESET), false, false},
		"refused":               {post(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), false, true},
		"no such host":          {post(&net.DNSError{Err: "no such host", Name: "ex"}), false, true},
		"unknown CA":            {post(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), false, true},
		"wrong host name":       {post(x509.HostnameError{Host: "ex"}), false, true},
		"not TLS at all":        {post(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), false, true},
		"wrapped, then refused": {fmt.Errorf("DisconnectPhoneCall: %w", post(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED})), false, true},
	}
	for name, tc := range tests {
		if got := Answered(tc.err); got != tc.answered {
			t.Errorf("%s: Answered = %v, want %v", name, got, tc.answered)
		}
		if got := NeverSent(tc.err); got != tc.neverSent {
			t.Errorf("%s: NeverSent = %v, want %v", name, got, tc.neverSent)
		}
	}
}
