package soap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func envelopeWith(body string) []byte {
	return []byte(`<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body>` + body + `</s:Body></s:Envelope>`)
}

// TestErrorClassification sends every kind of failure a server produces
// and checks the typed error, errors.Is(ErrCallNotFound), Retryable and
// the one-line message.
func TestErrorClassification(t *testing.T) {
	longHTML := "<html><head><title>Server Error in '/EWS' Application.</title></head><body>" +
		strings.Repeat("stack frame ", 200) + "TAIL-MUST-NOT-LEAK</body></html>"
	tests := []struct {
		name        string
		dialect     string
		status      int
		header      http.Header
		body        []byte
		call        string // "info" (default) or "disconnect"
		want        error  // compared with cmp on the typed error
		notFound    bool
		retry       bool
		backOff     time.Duration
		wantMessage string // exact Error() text
	}{
		{
			name: "ResponseClass Error ErrorInvalidPhoneCallId", status: 200, call: "disconnect",
			body: fixture(t, "ews_error_invalidphonecallid.xml"),
			want: &ResponseError{Operation: "DisconnectPhoneCall", Class: "Error", Code: "ErrorInvalidPhoneCallId",
				MessageText: "The phone call ID isn't valid."},
			notFound:    true,
			wantMessage: "DisconnectPhoneCall: server answered ErrorInvalidPhoneCallId: The phone call ID isn't valid.",
		},
		{
			name: "ResponseClass Error ErrorServerBusy in body with back-off", status: 200,
			body: envelopeWith(`<m:GetPhoneCallInformationResponse ResponseClass="Error" xmlns:m="` + NamespaceMessages + `" xmlns:t="` + NamespaceTypes + `">
				<m:MessageText>Busy</m:MessageText><m:ResponseCode>ErrorServerBusy</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>
				<m:MessageXml><t:Value Name="BackOffMilliseconds">1500</t:Value></m:MessageXml></m:GetPhoneCallInformationResponse>`),
			want: &ResponseError{Operation: "GetPhoneCallInformation", Class: "Error", Code: "ErrorServerBusy",
				MessageText: "Busy", BackOff: 1500 * time.Millisecond},
			retry: true, backOff: 1500 * time.Millisecond,
			wantMessage: "GetPhoneCallInformation: server answered ErrorServerBusy (back off 1.5s): Busy",
		},
		{
			name: "EWS fault ErrorServerBusy, BackOffMilliseconds in types namespace", status: 500,
			body: fixture(t, "ews_fault_serverbusy_types.xml"),
			want: &Fault{Operation: "GetPhoneCallInformation", Code: "ErrorServerBusy",
				String:       "The server cannot service this request right now. Try again later.",
				ResponseCode: "ErrorServerBusy", Message: "The server cannot service this request right now. Try again later.",
				BackOff: 297749 * time.Millisecond, StatusCode: 500},
			retry: true, backOff: 297749 * time.Millisecond,
		},
		{
			name: "EWS fault ErrorServerBusy, BackOffMilliseconds in errors namespace", status: 500,
			body: fixture(t, "ews_fault_serverbusy_errors.xml"),
			want: &Fault{Operation: "GetPhoneCallInformation", Code: "ErrorServerBusy", String: "The server is busy",
				ResponseCode: "ErrorServerBusy", Message: "The server is busy", BackOff: 5 * time.Second, StatusCode: 500},
			retry: true, backOff: 5 * time.Second,
			wantMessage: "GetPhoneCallInformation: server answered ErrorServerBusy (back off 5s): The server is busy",
		},
		{
			name: "EWS fault ErrorInvalidPhoneCallId", status: 500,
			body:     envelopeWith(`<s:Fault><faultcode xmlns:a="` + NamespaceTypes + `">a:ErrorInvalidPhoneCallId</faultcode><faultstring>bad id</faultstring></s:Fault>`),
			want:     &Fault{Operation: "GetPhoneCallInformation", Code: "ErrorInvalidPhoneCallId", String: "bad id", StatusCode: 500},
			notFound: true,
		},
		{
			name: "EWS schema fault", status: 500,
			body: envelopeWith(`<s:Fault><faultcode xmlns:a="` + NamespaceTypes + `">a:ErrorSchemaValidation</faultcode><faultstring>The request failed schema validation.</faultstring>
				<detail><e:ResponseCode xmlns:e="` + NamespaceErrors + `">ErrorSchemaValidation</e:ResponseCode><e:Message xmlns:e="` + NamespaceErrors + `">The request failed schema validation.</e:Message>
				<t:MessageXml xmlns:t="` + NamespaceTypes + `"><t:LineNumber>2</t:LineNumber><t:Violation>bad</t:Violation></t:MessageXml></detail></s:Fault>`),
			want: &Fault{Operation: "GetPhoneCallInformation", Code: "ErrorSchemaValidation", String: "The request failed schema validation.",
				ResponseCode: "ErrorSchemaValidation", Message: "The request failed schema validation.", StatusCode: 500},
		},
		{
			name: "UM InvalidCallIdException fault", dialect: DialectUM2007, status: 500,
			body: fixture(t, "um_fault_invalidcallid.xml"),
			want: &Fault{Operation: "GetCallInfo", Code: "InvalidCallIdException", String: "The call identifier isn't valid.",
				ExceptionType: "InvalidCallIdException", StatusCode: 500},
			notFound:    true,
			wantMessage: "GetCallInfo: server answered InvalidCallIdException: The call identifier isn't valid.",
		},
		{
			name: "UM fault with HTTP 200", dialect: DialectUM2007, status: 200, call: "disconnect",
			body: fixture(t, "um_fault_invalidcallid.xml"),
			want: &Fault{Operation: "Disconnect", Code: "InvalidCallIdException", String: "The call identifier isn't valid.",
				ExceptionType: "InvalidCallIdException", StatusCode: 200},
			notFound: true,
		},
		{
			name: "401 with NTLM offer", status: 401,
			header: http.Header{"Www-Authenticate": {"Negotiate", "NTLM"}},
			want: &HTTPError{Operation: "GetPhoneCallInformation", StatusCode: 401, Status: "401 Unauthorized",
				ContentType: "text/xml; charset=utf-8", Authenticate: []string{"Negotiate", "NTLM"}},
			wantMessage: "GetPhoneCallInformation: server answered HTTP 401 Unauthorized (offers Negotiate, NTLM)",
		},
		{
			name: "503 Retry-After seconds", status: 503,
			header: http.Header{"Retry-After": {"120"}, "Content-Type": {"text/plain"}},
			body:   []byte("EWS requests are queuing\r\n"),
			want: &HTTPError{Operation: "GetPhoneCallInformation", StatusCode: 503, Status: "503 Service Unavailable",
				ContentType: "text/plain", Snippet: "EWS requests are queuing", RetryAfter: 2 * time.Minute},
			retry: true, backOff: 2 * time.Minute,
			wantMessage: `GetPhoneCallInformation: server answered HTTP 503 Service Unavailable (retry after 2m0s): "EWS requests are queuing"`,
		},
		{
			name: "HTML 500 error page", status: 500,
			header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
			body:   []byte(longHTML),
			want: &HTTPError{Operation: "GetPhoneCallInformation", StatusCode: 500, Status: "500 Internal Server Error",
				ContentType: "text/html; charset=utf-8", Snippet: "Server Error in '/EWS' Application."},
			retry:       true,
			wantMessage: `GetPhoneCallInformation: server answered HTTP 500 Internal Server Error: "Server Error in '/EWS' Application."`,
		},
		{
			// Without a title, the first line of text stands for the page.
			name: "HTML 503 page without a title", status: 503,
			header: http.Header{"Content-Type": {"text/html"}},
			body:   []byte("<html><body>\n<h1>Service Unavailable</h1>\n<p>HTTP Error 503. The service is unavailable.</p></body></html>"),
			want: &HTTPError{Operation: "GetPhoneCallInformation", StatusCode: 503, Status: "503 Service Unavailable",
				ContentType: "text/html", Snippet: "Service Unavailable"},
			retry: true,
		},
		{
			name: "500 with XML that is not a fault", status: 500,
			body: envelopeWith(`<Nothing/>`),
			want: &HTTPError{Operation: "GetPhoneCallInformation", StatusCode: 500, Status: "500 Internal Server Error",
				ContentType: "text/xml; charset=utf-8", Snippet: sanitize(string(envelopeWith(`<Nothing/>`)), snippetBytes)},
			retry: true,
		},
		{
			name: "HTTP 500 carrying a ResponseClass Error element", status: 500, call: "disconnect",
			body: fixture(t, "ews_error_invalidphonecallid.xml"),
			want: &ResponseError{Operation: "DisconnectPhoneCall", Class: "Error", Code: "ErrorInvalidPhoneCallId",
				MessageText: "The phone call ID isn't valid."},
			notFound: true,
		},
		{
			name: "302 to the generic error page", status: 302,
			header: http.Header{"Location": {"/ews/genericerrorpage.htm?aspxerrorpath=/ews/exchange.asmx"}, "Content-Type": {"text/html"}},
			want:   &HTTPError{Operation: "GetPhoneCallInformation", StatusCode: 302, Status: "302 Found", ContentType: "text/html"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(tt.status, tt.body)
			for k, v := range tt.header {
				rec.header[k] = v
			}
			srv := newServer(t, rec)
			c := mustNew(t, Options{URL: srv.URL, Dialect: tt.dialect})
			var err error
			if tt.call == "disconnect" {
				err = c.Disconnect(context.Background(), "id")
			} else {
				_, err = c.CallInfo(context.Background(), "id")
			}
			if err == nil {
				t.Fatal("want an error")
			}
			if diff := cmp.Diff(tt.want, err); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			if got := errors.Is(err, ErrCallNotFound); got != tt.notFound {
				t.Errorf("errors.Is(err, ErrCallNotFound) = %v, want %v", got, tt.notFound)
			}
			retry, wait := Retryable(err)
			if retry != tt.retry || wait != tt.backOff {
				t.Errorf("Retryable = %v, %v; want %v, %v", retry, wait, tt.retry, tt.backOff)
			}
			msg := err.Error()
			if tt.wantMessage != "" && msg != tt.wantMessage {
				t.Errorf("Error() =\n  %s\nwant\n  %s", msg, tt.wantMessage)
			}
			if strings.Contains(msg, "TAIL-MUST-NOT-LEAK") || strings.ContainsAny(msg, "\r\n") || len(msg) > 600 {
				t.Errorf("Error() leaks the body or spans lines: %q", msg)
			}
			if strings.Contains(msg, "soap:") {
				t.Errorf("Error() = %q: a Go package prefix means nothing to a user", msg)
			}
		})
	}
}

// TestHostileResponses covers answers refused for safety or unreadable,
// each named for the threat it stands for.
func TestHostileResponses(t *testing.T) {
	deep := strings.Repeat("<x>", 100) + strings.Repeat("</x>", 100)
	tests := []struct {
		name    string
		body    []byte
		wantErr error  // errors.Is target, nil for a plain syntax error
		wantMsg string // substring of Error()
	}{
		{
			name:    "memory exhaustion: body over MaxResponseBytes",
			body:    append(envelopeWith(""), make([]byte, MaxResponseBytes)...),
			wantErr: ErrResponseTooLarge,
			wantMsg: "GetPhoneCallInformation: response refused (HTTP 200): response body larger than the 8388608-byte cap",
		},
		{
			name: "entity expansion (billion laughs): DOCTYPE with entities",
			body: []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>` +
				`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body>&lol2;</s:Body></s:Envelope>`),
			wantErr: ErrDoctype,
			wantMsg: "response refused (HTTP 200): response contains a DOCTYPE or entity declaration",
		},
		{
			name:    "external entity (XXE): DOCTYPE with SYSTEM id",
			body:    []byte(`<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body>&x;</s:Body></s:Envelope>`),
			wantErr: ErrDoctype,
		},
		{
			name:    "stack exhaustion: nesting deeper than MaxDepth",
			body:    envelopeWith(deep),
			wantErr: ErrTooDeep,
			wantMsg: "nests elements deeper than 64 levels",
		},
		{
			name:    "truncated response",
			body:    fixture(t, "ews_getphonecallinformation_response.xml")[:400],
			wantMsg: "GetPhoneCallInformation: malformed response (HTTP 200): XML syntax error",
		},
		{
			name:    "not XML at all",
			body:    []byte("<html><body>Sign in</body></html>"),
			wantMsg: "malformed response (HTTP 200): response root element is not a SOAP 1.1 Envelope",
		},
		{
			name:    "empty body",
			wantMsg: "malformed response (HTTP 200): response has no XML element",
		},
		{
			name:    "envelope without the response element",
			body:    envelopeWith(`<m:Other xmlns:m="` + NamespaceMessages + `"/>`),
			wantMsg: "malformed response (HTTP 200): no GetPhoneCallInformationResponse element in the SOAP body",
		},
		{
			name:    "response element in the wrong namespace",
			body:    envelopeWith(`<m:GetPhoneCallInformationResponse ResponseClass="Success" xmlns:m="` + NamespaceTypes + `"/>`),
			wantMsg: "no GetPhoneCallInformationResponse element",
		},
		{
			name:    "success without PhoneCallInformation",
			body:    envelopeWith(`<m:GetPhoneCallInformationResponse ResponseClass="Success" xmlns:m="` + NamespaceMessages + `"><m:ResponseCode>NoError</m:ResponseCode></m:GetPhoneCallInformationResponse>`),
			wantMsg: "success without PhoneCallInformation/PhoneCallState",
		},
		{
			name:    "undefined entity",
			body:    envelopeWith(`&undefined;`),
			wantMsg: "malformed response",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, newRecorder(200, tt.body))
			c := mustNew(t, Options{URL: srv.URL})
			_, err := c.CallInfo(context.Background(), "id")
			var merr *MalformedError
			if !errors.As(err, &merr) {
				t.Fatalf("err = %v (%T), want *MalformedError", err, err)
			}
			if merr.Operation != "GetPhoneCallInformation" {
				t.Errorf("Operation = %q", merr.Operation)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Error() = %q, want it to contain %q", err.Error(), tt.wantMsg)
			}
			if retry, _ := Retryable(err); retry {
				t.Error("a malformed answer must not be retryable")
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		" 5 ":                           5 * time.Second,
		"0":                             0,
		"-3":                            0,
		"soon":                          0,
		"Sun, 01 Mar 2026 12:01:30 GMT": 90 * time.Second,
		"Sun, 01 Mar 2026 11:00:00 GMT": 0, // in the past
		"99999999999999999999":          0, // not an int64; not a date either
		"9223372036854775807":           time.Duration(9223372036) * time.Second,
	}
	for in, want := range tests {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestRetryableTransportErrors(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		retry bool
	}{
		{"nil", nil, false},
		{"cancelled", fmt.Errorf("x: %w", context.Canceled), false},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), true},
		{"unrelated error", fmt.Errorf("x: %w", errors.New("wrapped")), false},
		{"unexpected EOF", fmt.Errorf("x: %w", io.ErrUnexpectedEOF), true},
		{"io EOF", fmt.Errorf("x: POST: %w", io.EOF), true},
		{"ECONNRESET", fmt.Errorf("x: %w", syscall.ECONNRESET), true},
		{"401", &HTTPError{StatusCode: 401}, false},
		{"404", &HTTPError{StatusCode: 404}, false},
		{"502", &HTTPError{StatusCode: 502}, true},
		{"transient fault", &Fault{Code: "ErrorInternalServerTransientError"}, true},
		{"connection count", &ResponseError{Code: "ErrorExceededConnectionCount"}, true},
		{"permanent fault", &Fault{Code: "ErrorInternalServerError"}, false},
		{"UM exception", &Fault{Code: "DialingRulesException", ExceptionType: "DialingRulesException"}, false},
	}
	for _, tt := range tests {
		if got, _ := Retryable(tt.err); got != tt.retry {
			t.Errorf("%s: Retryable = %v, want %v", tt.name, got, tt.retry)
		}
	}
}

func TestSanitize(t *testing.T) {
	tests := map[string]string{
		"  two\r\n\tlines  ": "two lines",
		"bad \xff utf8":      "bad utf8",
		"bell\x07ring":       "bell ring",
		"ünïcode":            "ünïcode",
	}
	for in, want := range tests {
		if got := sanitize(in, 100); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("é", 200) // 400 bytes
	got := sanitize(long, 101)
	if !strings.HasSuffix(got, "…") || len(got) > 101+len("…") || !strings.HasPrefix(got, "éé") {
		t.Errorf("sanitize cut badly: %q", got)
	}
}
