package exchsim

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
)

// newTestServer starts a simulator that is closed when the test ends.
func newTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := NewServer(opts)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// newClient returns a client with its own transport, so connection counts
// in one test are not disturbed by another's idle connections.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{ForceAttemptHTTP2: false}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// Request builders use encoding/xml like a careful client would, so ids
// with markup characters are escaped.
type testEnvelope struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    struct {
		Op any
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

type testIDAttr struct {
	ID string `xml:"Id,attr"`
}

type ewsIDRequest struct {
	XMLName     xml.Name
	PhoneCallID testIDAttr `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PhoneCallId"`
}

type ewsPlayRequest struct {
	XMLName    xml.Name   `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PlayOnPhone"`
	ItemID     testIDAttr `xml:"http://schemas.microsoft.com/exchange/services/2006/messages ItemId"`
	DialString string     `xml:"http://schemas.microsoft.com/exchange/services/2006/messages DialString"`
}

type umIDRequest struct {
	XMLName xml.Name
	CallID  string `xml:"http://schemas.microsoft.com/exchange/services/2006/messages CallId"`
}

type umPlayRequest struct {
	XMLName    xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PlayOnPhone"`
	EntryID    string   `xml:"http://schemas.microsoft.com/exchange/services/2006/messages entryId"`
	DialString string   `xml:"http://schemas.microsoft.com/exchange/services/2006/messages DialString"`
}

func envelope(t *testing.T, op any) []byte {
	t.Helper()
	var env testEnvelope
	env.Body.Op = op
	b, err := xml.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ewsRequest builds GetPhoneCallInformation or DisconnectPhoneCall.
func ewsRequest(t *testing.T, op, id string) []byte {
	return envelope(t, ewsIDRequest{XMLName: xml.Name{Space: nsMessages, Local: op}, PhoneCallID: testIDAttr{id}})
}

// umRequest builds GetCallInfo or Disconnect.
func umRequest(t *testing.T, op, id string) []byte {
	return envelope(t, umIDRequest{XMLName: xml.Name{Space: nsMessages, Local: op}, CallID: id})
}

// soapResponse is a response split into the parts tests look at.
type soapResponse struct {
	Status     int
	Header     http.Header
	Raw        []byte
	SOAPHeader *node // first child of s:Header, nil if none
	Body       *node // first child of s:Body
}

// post sends a SOAP request and decodes the response envelope, failing
// the test if it is not an XML-declared SOAP 1.1 envelope.
func post(t *testing.T, c *http.Client, url string, body []byte) soapResponse {
	t.Helper()
	resp, raw := postRaw(t, c, url, body)
	return decodeSOAP(t, resp, raw)
}

// decodeSOAP splits a response already read.
func decodeSOAP(t *testing.T, resp *http.Response, raw []byte) soapResponse {
	t.Helper()
	r := soapResponse{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if !bytes.HasPrefix(raw, []byte("<?xml ")) {
		t.Fatalf("response does not start with an XML declaration: %.200q", raw)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/xml; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/xml; charset=utf-8", ct)
	}
	var env node
	if err := xml.Unmarshal(raw, &env); err != nil {
		t.Fatalf("response is not XML: %v\n%s", err, raw)
	}
	if !env.is(nsSOAP, "Envelope") {
		t.Fatalf("root is {%s}%s, want soap Envelope", env.XMLName.Space, env.XMLName.Local)
	}
	for i, c := range env.Children {
		switch {
		case c.is(nsSOAP, "Header") && i == 0 && len(c.Children) > 0:
			r.SOAPHeader = &env.Children[i].Children[0]
		case c.is(nsSOAP, "Body") && len(c.Children) > 0:
			r.Body = &env.Children[i].Children[0]
		}
	}
	if r.Body == nil {
		t.Fatalf("no element in soap:Body:\n%s", raw)
	}
	return r
}

func postRaw(t *testing.T, c *http.Client, url string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	return resp, raw
}

// childPath follows a path of {namespace, local} steps from n, failing the
// test when a step is missing.
func childPath(t *testing.T, n *node, steps ...[2]string) *node {
	t.Helper()
	for _, s := range steps {
		c := n.child(s[0], s[1])
		if c == nil {
			t.Fatalf("no {%s}%s under {%s}%s", s[0], s[1], n.XMLName.Space, n.XMLName.Local)
		}
		n = c
	}
	return n
}

func m(local string) [2]string  { return [2]string{nsMessages, local} }
func ty(local string) [2]string { return [2]string{nsTypes, local} }

// childNames lists n's children as "prefix:Local" with m/t/e/s prefixes,
// to assert on element order and namespaces at once.
func childNames(n *node) []string {
	prefix := map[string]string{nsMessages: "m:", nsTypes: "t:", nsErrors: "e:", nsSOAP: "s:", "": ""}
	var out []string
	for _, c := range n.Children {
		p, ok := prefix[c.XMLName.Space]
		if !ok {
			p = "{" + c.XMLName.Space + "}"
		}
		out = append(out, p+c.XMLName.Local)
	}
	return out
}

func text(n *node) string { return strings.TrimSpace(n.Text) }

func xmlName(space, local string) xml.Name { return xml.Name{Space: space, Local: local} }
