package exchsim

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/callctl/callctl/internal/xsdtest"
)

// TestResponsesValidateAgainstSchema runs every kind of EWS response body
// element through xmllint with the real Exchange2010_SP2 messages.xsd. The
// element is cut out of the response byte for byte, so this also shows it
// carries its own namespace declarations.
func TestResponsesValidateAgainstSchema(t *testing.T) {
	schema := xsdtest.Schema(t)

	// Negative control: the check must be able to fail. MessageText after
	// ResponseCode breaks the schema's sequence.
	bad := `<GetPhoneCallInformationResponse xmlns="` + nsMessages + `" ResponseClass="Error">` +
		`<ResponseCode>ErrorInvalidPhoneCallId</ResponseCode><MessageText>x</MessageText></GetPhoneCallInformationResponse>`
	if err := xsdtest.Validate(t, schema, []byte(bad)); err == nil {
		t.Fatal("xmllint accepted an out-of-order response; the schema check is not working")
	}

	s := newTestServer(t, Options{Calls: []Call{
		{ID: "live", State: "Connected"},
		{ID: "busy", State: "Disconnected", Cause: "UserBusy"},
		{ID: nastyID, State: "Connected"},
	}})
	c := newClient(t)
	play := envelope(t, ewsPlayRequest{ItemID: testIDAttr{"AAMkAD"}, DialString: "4255550100"})
	tests := map[string][]byte{
		"GetPhoneCallInformation connected":  ewsRequest(t, "GetPhoneCallInformation", "live"),
		"GetPhoneCallInformation with cause": ewsRequest(t, "GetPhoneCallInformation", "busy"),
		"GetPhoneCallInformation escaped id": ewsRequest(t, "GetPhoneCallInformation", nastyID),
		"GetPhoneCallInformation unknown id": ewsRequest(t, "GetPhoneCallInformation", "nope"),
		"DisconnectPhoneCall success":        ewsRequest(t, "DisconnectPhoneCall", "live"),
		"DisconnectPhoneCall unknown id":     ewsRequest(t, "DisconnectPhoneCall", "nope"),
		"PlayOnPhone success":                play,
		"PlayOnPhone invalid number":         envelope(t, ewsPlayRequest{ItemID: testIDAttr{"AAMkAD"}, DialString: ""}),
	}
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			r := post(t, c, s.EWSURL(), req)
			validate(t, schema, bodyElement(t, r.Raw, "Body"))
			validate(t, schema, bodyElement(t, r.Raw, "Header"))
		})
	}

	// Throttled in-body error: ErrorExceededConnectionCount with MessageXml.
	throttled := newTestServer(t, Options{Faults: Faults{ConnectionCountRate: 1}})
	for _, req := range [][]byte{ewsRequest(t, "GetPhoneCallInformation", "x"), ewsRequest(t, "DisconnectPhoneCall", "x"), play} {
		r := post(t, c, throttled.EWSURL(), req)
		validate(t, schema, bodyElement(t, r.Raw, "Body"))
	}
}

// bodyElement returns the raw bytes of the first child of the envelope's
// soap:<parent> element.
func bodyElement(t *testing.T, raw []byte, parent string) []byte {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(raw))
	inParent := false
	for {
		start := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("no element in soap:%s: %v", parent, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if inParent {
			if err := d.Skip(); err != nil {
				t.Fatal(err)
			}
			return raw[start:d.InputOffset()]
		}
		inParent = se.Name.Space == nsSOAP && se.Name.Local == parent
	}
}

func validate(t *testing.T, schema string, el []byte) {
	t.Helper()
	if err := xsdtest.Validate(t, schema, el); err != nil {
		t.Errorf("%v\nelement: %s", err, el)
	}
}
