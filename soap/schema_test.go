package soap

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/callctl/callctl/internal/xsdtest"
)

// weirdIDs are call ids a client must carry byte for byte: markup
// characters, white space at the edges and inside, non-ASCII, and the
// longest id the server accepts (1420 characters, protocol.md §2.5).
var weirdIDs = map[string]string{
	"markup":     `a<b&c"d'e>f`,
	"whitespace": " \tid with\nnewline\r and tabs\t ",
	"unicode":    "ïd-çå11-☎-𝄞",
	"max length": longID(1420),
	"entity-ish": "&amp;&lt;&#34;]]>",
}

func longID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var b strings.Builder
	for i := range n - 1 {
		b.WriteByte(alphabet[(i*7)%len(alphabet)])
	}
	b.WriteByte('=')
	return b.String()
}

// TestRequestBodiesValidateAgainstSchema validates the body element of
// every EWS request the client emits against messages.xsd.
func TestRequestBodiesValidateAgainstSchema(t *testing.T) {
	schema := xsdtest.Schema(t)
	c, err := NewEWS(Options{URL: "https://mail.example/EWS/Exchange.asmx"})
	if err != nil {
		t.Fatal(err)
	}

	type build struct {
		name string
		fn   func() ([]byte, error)
	}
	builds := []build{
		{"GetPhoneCallInformation", func() ([]byte, error) { return c.getPhoneCallInformation("ZWMtWYtMY29t") }},
		{"DisconnectPhoneCall", func() ([]byte, error) { return c.disconnectPhoneCall("OWVl4NWb3N29t") }},
		{"PlayOnPhone", func() ([]byte, error) { return c.playOnPhone("AAMkADk0N2NmN2Y5", "+1 (425) 555-1212") }},
	}
	for name, id := range weirdIDs {
		builds = append(builds,
			build{"GetPhoneCallInformation/" + name, func() ([]byte, error) { return c.getPhoneCallInformation(id) }},
			build{"DisconnectPhoneCall/" + name, func() ([]byte, error) { return c.disconnectPhoneCall(id) }},
			build{"PlayOnPhone/" + name, func() ([]byte, error) { return c.playOnPhone(id, id) }},
		)
	}
	for _, b := range builds {
		t.Run(b.name, func(t *testing.T) {
			env, err := b.fn()
			if err != nil {
				t.Fatal(err)
			}
			if err := xsdtest.Validate(t, schema, bodyChild(t, env)); err != nil {
				t.Errorf("schema rejects emitted body:\n%s\n%v", bodyChild(t, env), err)
			}
		})
	}

	// The check must be able to fail: the call id in the types namespace,
	// a classic mistake, is rejected.
	t.Run("control: t:PhoneCallId is rejected", func(t *testing.T) {
		bad := []byte(`<m:DisconnectPhoneCall xmlns:m="` + NamespaceMessages + `" xmlns:t="` + NamespaceTypes + `"><t:PhoneCallId Id="x"/></m:DisconnectPhoneCall>`)
		if err := xsdtest.Validate(t, schema, bad); err == nil {
			t.Error("xmllint accepted a body the schema forbids; the validation is not working")
		}
	})
}

// TestCallIDRoundTrip sends awkward ids to a server that decodes the request
// with a plain XML parser and echoes the id back in the response; the id
// must arrive and return exactly.
func TestCallIDRoundTrip(t *testing.T) {
	for name, id := range weirdIDs {
		t.Run("EWS/"+name, func(t *testing.T) {
			var seen string
			srv := newServer(t, echoHandler(t, &seen, func(data []byte) string {
				var req struct {
					Body struct {
						Op struct {
							ID struct {
								ID string `xml:"Id,attr"`
							} `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PhoneCallId"`
						} `xml:"http://schemas.microsoft.com/exchange/services/2006/messages GetPhoneCallInformation"`
					} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
				}
				if err := xml.Unmarshal(data, &req); err != nil {
					t.Errorf("server cannot parse request: %v", err)
				}
				return req.Body.Op.ID.ID
			}, func(id string) []byte {
				var attr bytes.Buffer
				xml.EscapeText(&attr, []byte(id))
				return []byte(`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body><m:PlayOnPhoneResponse ResponseClass="Success" xmlns:m="` + NamespaceMessages +
					`"><m:ResponseCode>NoError</m:ResponseCode><m:PhoneCallId Id="` + attr.String() + `"/></m:PlayOnPhoneResponse></s:Body></s:Envelope>`)
			}))
			c := mustNew(t, Options{URL: srv.URL}).(*EWSClient)
			if _, err := c.CallInfo(context.Background(), id); err == nil {
				t.Fatal("GetPhoneCallInformation answered with a PlayOnPhone response should fail")
			}
			if seen != id {
				t.Errorf("server saw id %q, want %q", seen, id)
			}
			got, err := c.PlayOnPhone(context.Background(), "item", "1")
			if err != nil {
				t.Fatal(err)
			}
			if got != id {
				t.Errorf("PlayOnPhone returned %q, want %q", got, id)
			}
		})
		t.Run("UM/"+name, func(t *testing.T) {
			var seen string
			srv := newServer(t, echoHandler(t, &seen, func(data []byte) string {
				var req struct {
					Body struct {
						Op struct {
							ID string `xml:"http://schemas.microsoft.com/exchange/services/2006/messages CallId"`
						} `xml:"http://schemas.microsoft.com/exchange/services/2006/messages Disconnect"`
					} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
				}
				if err := xml.Unmarshal(data, &req); err != nil {
					t.Errorf("server cannot parse request: %v", err)
				}
				return req.Body.Op.ID
			}, func(id string) []byte {
				var text bytes.Buffer
				xml.EscapeText(&text, []byte(id))
				return []byte(`<soap:Envelope xmlns:soap="` + NamespaceSOAP + `"><soap:Body><PlayOnPhoneResponse xmlns="` + NamespaceMessages +
					`"><PlayOnPhoneResponse>` + text.String() + `</PlayOnPhoneResponse></PlayOnPhoneResponse></soap:Body></soap:Envelope>`)
			}))
			c := mustNew(t, Options{URL: srv.URL, Dialect: DialectUM2007}).(*UMClient)
			// The echo server answers Disconnect with a PlayOnPhone
			// body, which Disconnect must refuse as malformed.
			if err := c.Disconnect(context.Background(), id); err == nil {
				t.Fatal("Disconnect answered with a PlayOnPhone response should fail")
			}
			if seen != id {
				t.Errorf("server saw id %q, want %q", seen, id)
			}
			got, err := c.PlayOnPhone(context.Background(), "entry", "1")
			if err != nil {
				t.Fatal(err)
			}
			if got != id {
				t.Errorf("PlayOnPhone returned %q, want %q", got, id)
			}
		})
	}
}

// echoHandler records the id the first request carries (via extract) and
// answers every request with reply(id).
func echoHandler(t *testing.T, seen *string, extract func([]byte) string, reply func(string) []byte) http.HandlerFunc {
	var id string
	return func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		if id == "" {
			id = extract(data)
			*seen = id
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Write(reply(id))
	}
}

func TestUnencodableIDsAreRefused(t *testing.T) {
	c, err := NewEWS(Options{URL: "https://mail.example/EWS/Exchange.asmx"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"nul\x00byte", "bell\x07", "bad utf8 \xff", "\uFFFE"} {
		if _, err := c.getPhoneCallInformation(id); err == nil {
			t.Errorf("id %q: want an error, encoding/xml would alter it", id)
		}
		if _, err := umGetCallInfo(id); err == nil {
			t.Errorf("UM id %q: want an error", id)
		}
	}
}
