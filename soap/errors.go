package soap

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The codes that mean "this call id is not known", "too busy" and "try
// again later" are each dialect's (Dialect.Codes); see dialect.go.

// ResponseError is an EWS answer with ResponseClass="Error", delivered
// with HTTP 200 inside the operation's response element.
type ResponseError struct {
	Operation   string        // e.g. "DisconnectPhoneCall"
	Class       string        // ResponseClass, normally "Error"
	Code        string        // ResponseCode, e.g. "ErrorInvalidPhoneCallId"
	MessageText string        // server's human text, verbatim
	BackOff     time.Duration // MessageXml BackOffMilliseconds, 0 if absent
}

func (e *ResponseError) Error() string {
	return answered(e.Operation, e.Code, e.BackOff, e.MessageText)
}

// Is makes errors.Is(err, ErrCallNotFound) true for an unknown call id.
func (e *ResponseError) Is(target error) bool {
	return target == ErrCallNotFound && callNotFoundCodes[e.Code]
}

// HTTPError is an HTTP answer that carried no usable SOAP message: 401,
// 503, an HTML error page with 500, a redirect, and so on.
type HTTPError struct {
	Operation   string
	StatusCode  int    // e.g. 503
	Status      string // e.g. "503 Service Unavailable"
	ContentType string
	// Snippet sums the body up in at most 200 bytes: an HTML page's
	// title (or first line of text), another body's first line, with
	// control characters and runs of white space folded to one space.
	Snippet string
	// RetryAfter is the wait the Retry-After header asked for, 0 if none.
	RetryAfter time.Duration
	// Authenticate lists the WWW-Authenticate schemes a 401 offered.
	Authenticate []string
	// Binding is set on a 401 to a login over https with an auth kind
	// that binds itself to the TLS channel (NTLM, Kerberos).
	Binding *ChannelBinding
}

func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: server answered HTTP %s", e.Operation, e.statusText())
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", Round(e.RetryAfter))
	}
	if len(e.Authenticate) > 0 {
		fmt.Fprintf(&b, " (offers %s)", strings.Join(e.Authenticate, ", "))
	}
	if e.Snippet != "" {
		fmt.Fprintf(&b, ": %q", e.Snippet)
	}
	if e.Binding != nil {
		b.WriteString("; ")
		b.WriteString(e.Binding.explain())
	}
	return b.String()
}

func (e *HTTPError) statusText() string {
	if e.Status != "" {
		return e.Status
	}
	return fmt.Sprint(e.StatusCode)
}

// MalformedError is an answer that could not be read as the expected SOAP
// message: truncated or invalid XML, the wrong elements, or one refused for
// safety (Err is then ErrResponseTooLarge, ErrDoctype or ErrTooDeep).
type MalformedError struct {
	Operation  string
	StatusCode int
	Err        error
}

func (e *MalformedError) Error() string {
	what := "malformed response"
	if e.refused() {
		what = "response refused"
	}
	return fmt.Sprintf("%s: %s (HTTP %d): %s", e.Operation, what, e.StatusCode, e.Err.Error())
}

func (e *MalformedError) Unwrap() error { return e.Err }

func (e *MalformedError) refused() bool {
	return errors.Is(e.Err, ErrResponseTooLarge) || errors.Is(e.Err, ErrDoctype) || errors.Is(e.Err, ErrTooDeep)
}

// answered renders the common "server answered CODE" sentence.
func answered(op, code string, backOff time.Duration, text string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: server answered %s", op, code)
	if backOff > 0 {
		fmt.Fprintf(&b, " (back off %s)", Round(backOff))
	}
	if text = sanitize(text, maxTextBytes); text != "" {
		b.WriteString(": ")
		b.WriteString(text)
	}
	return b.String()
}

const (
	snippetBytes = 200 // HTTPError.Snippet
	maxTextBytes = 300 // server text quoted in an error string
)

// sanitize keeps at most n bytes of s (cut at a rune boundary), drops
// invalid UTF-8, and folds control characters and white space runs to one
// space, so that an error string stays one readable line whatever the
// server sent.
func sanitize(s string, n int) string {
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(s, "") {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// Round shortens d for people: whole seconds from a minute up, tenths
// of seconds below, milliseconds below a second, so that a wait reads
// "10m0s", not "9m59.999682095s".
func Round(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// bodySummary is what an error message quotes of a body the client could
// not use: an HTML page's <title> (or, without one, its first line of
// text), any other body's first non-blank line. A whole IIS error page
// says nothing more than its title, and may carry details no log needs.
func bodySummary(body []byte, contentType string) string {
	s := string(body[:min(len(body), 4096)])
	lower := strings.ToLower(s)
	if strings.Contains(contentType, "html") || strings.HasPrefix(strings.TrimSpace(lower), "<!doctype html") || strings.HasPrefix(strings.TrimSpace(lower), "<html") {
		if i := strings.Index(lower, "<title"); i >= 0 {
			if j := strings.Index(lower[i:], ">"); j >= 0 {
				rest := s[i+j+1:]
				if k := strings.Index(strings.ToLower(rest), "</title"); k >= 0 {
					if t := sanitize(rest[:k], snippetBytes); t != "" {
						return t
					}
				}
			}
		}
		s = htmlTags.ReplaceAllString(s, "\n")
	}
	for _, line := range strings.Split(s, "\n") {
		if t := sanitize(line, snippetBytes); t != "" {
			return t
		}
	}
	return ""
}

// htmlTags matches a tag, for bodySummary's plain-text fallback.
var htmlTags = regexp.MustCompile(`<[^>]*>`)
