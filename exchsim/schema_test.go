package exchsim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestResponsesValidateAgainstSchema runs every kind of EWS response body
// element through xmllint with the real Exchange2010_SP2 messages.xsd. The
// element is cut out of the response byte for byte, so this also shows it
// carries its own namespace declarations.
func TestResponsesValidateAgainstSchema(t *testing.T) {
	schema := schemaPath(t)
	xmllint := lookXmllint(t)

	// Negative control: the check must be able to fail. MessageText after
	// ResponseCode breaks the schema's sequence.
	bad := `<GetPhoneCallInformationResponse xmlns="` + nsMessages + `" ResponseClass="Error">` +
		`<ResponseCode>ErrorInvalidPhoneCallId</ResponseCode><MessageText>x</MessageText></GetPhoneCallInformationResponse>`
	if err := runXmllint(t, xmllint, schema, []byte(bad)); err == nil {
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
			validate(t, xmllint, schema, bodyElement(t, r.Raw, "Body"))
			validate(t, xmllint, schema, bodyElement(t, r.Raw, "Header"))
		})
	}

	// Throttled in-body error: ErrorExceededConnectionCount with MessageXml.
	throttled := newTestServer(t, Options{Faults: Faults{ConnectionCountRate: 1}})
	for _, req := range [][]byte{ewsRequest(t, "GetPhoneCallInformation", "x"), ewsRequest(t, "DisconnectPhoneCall", "x"), play} {
		r := post(t, c, throttled.EWSURL(), req)
		validate(t, xmllint, schema, bodyElement(t, r.Raw, "Body"))
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

func validate(t *testing.T, xmllint, schema string, el []byte) {
	t.Helper()
	if err := runXmllint(t, xmllint, schema, el); err != nil {
		t.Errorf("%v\nelement: %s", err, el)
	}
}

func runXmllint(t *testing.T, xmllint, schema string, el []byte) error {
	t.Helper()
	f := filepath.Join(t.TempDir(), "el.xml")
	if err := os.WriteFile(f, el, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", schema, f).CombinedOutput()
	if err != nil {
		return fmt.Errorf("xmllint rejects the element: %v\n%s", err, out)
	}
	return nil
}

// schemaPath finds ../shared/schemas/ews/messages.xsd relative to the
// module root, where CI checks out shared/ beside the repository.
func schemaPath(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "schemas", "ews", "messages.xsd")
	if _, err := os.Stat(p); err != nil {
		skipOrFail(t, "EWS schema not found: "+err.Error())
	}
	return p
}

func lookXmllint(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		skipOrFail(t, "xmllint not installed: "+err.Error())
	}
	return p
}

// skipOrFail skips locally but fails in CI, where a missing tool would
// otherwise silently turn the schema check off.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
