package exchsim

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nastyID has markup characters and is longer than the 1420 characters a
// real server accepts: the simulator must escape it and never trim it.
var nastyID = ` <a&b>"it's"` + strings.Repeat("x", 1500) + " "

func TestEWSGetPhoneCallInformation(t *testing.T) {
	s := newTestServer(t, Options{Calls: []Call{
		{ID: "live", State: "Connected"},
		{ID: "busy", State: "Disconnected", Cause: "UserBusy"},
		{ID: "ended", State: "Disconnected"},
		{ID: nastyID, State: "Alerted"},
	}})
	c := newClient(t)
	tests := map[string]struct {
		id      string
		want    []string // children of PhoneCallInformation
		state   string
		cause   string
		sipCode string
	}{
		"connected":       {"live", []string{"t:PhoneCallState", "t:ConnectionFailureCause"}, "Connected", "None", ""},
		"cause adds sip":  {"busy", []string{"t:PhoneCallState", "t:ConnectionFailureCause", "t:SIPResponseText", "t:SIPResponseCode"}, "Disconnected", "UserBusy", "486"},
		"ended, no cause": {"ended", []string{"t:PhoneCallState", "t:ConnectionFailureCause"}, "Disconnected", "None", ""},
		"escaped long id": {nastyID, []string{"t:PhoneCallState", "t:ConnectionFailureCause"}, "Alerted", "None", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := post(t, c, s.EWSURL(), ewsRequest(t, "GetPhoneCallInformation", tc.id))
			if r.Status != http.StatusOK {
				t.Fatalf("status %d", r.Status)
			}
			if !r.Body.is(nsMessages, "GetPhoneCallInformationResponse") {
				t.Fatalf("body element {%s}%s", r.Body.XMLName.Space, r.Body.XMLName.Local)
			}
			if rc, _ := r.Body.attr("ResponseClass"); rc != "Success" {
				t.Errorf("ResponseClass = %q", rc)
			}
			if diff := cmp.Diff([]string{"m:ResponseCode", "m:PhoneCallInformation"}, childNames(r.Body)); diff != "" {
				t.Errorf("response children (-want +got):\n%s", diff)
			}
			info := childPath(t, r.Body, m("PhoneCallInformation"))
			if diff := cmp.Diff(tc.want, childNames(info)); diff != "" {
				t.Errorf("PhoneCallInformation children (-want +got):\n%s", diff)
			}
			if got := text(childPath(t, info, ty("PhoneCallState"))); got != tc.state {
				t.Errorf("state %q, want %q", got, tc.state)
			}
			if got := text(childPath(t, info, ty("ConnectionFailureCause"))); got != tc.cause {
				t.Errorf("cause %q, want %q", got, tc.cause)
			}
			if tc.sipCode != "" {
				if got := text(childPath(t, info, ty("SIPResponseCode"))); got != tc.sipCode {
					t.Errorf("SIPResponseCode %q, want %q", got, tc.sipCode)
				}
			}
		})
	}
}

func TestEWSResponseEnvelope(t *testing.T) {
	s := newTestServer(t, Options{Calls: []Call{{ID: "live", State: "Connected"}}})
	r := post(t, newClient(t), s.EWSURL(), ewsRequest(t, "GetPhoneCallInformation", "live"))
	if r.SOAPHeader == nil || !r.SOAPHeader.is(nsTypes, "ServerVersionInfo") {
		t.Fatalf("no t:ServerVersionInfo as first s:Header child:\n%s", r.Raw)
	}
	for attr, want := range map[string]string{"MajorVersion": "14", "Version": "Exchange2010_SP2"} {
		if got, _ := r.SOAPHeader.attr(attr); got != want {
			t.Errorf("ServerVersionInfo %s = %q, want %q", attr, got, want)
		}
	}
	if strings.Contains(string(r.Raw), "https://") {
		t.Errorf("response uses an https:// namespace:\n%s", r.Raw)
	}
}

func TestEWSUnknownCall(t *testing.T) {
	s := newTestServer(t, Options{})
	c := newClient(t)
	for _, op := range []string{"GetPhoneCallInformation", "DisconnectPhoneCall"} {
		t.Run(op, func(t *testing.T) {
			r := post(t, c, s.EWSURL(), ewsRequest(t, op, "nope"))
			if r.Status != http.StatusOK {
				t.Fatalf("status %d, want 200 (in-body error)", r.Status)
			}
			if !r.Body.is(nsMessages, op+"Response") {
				t.Fatalf("body element %s", r.Body.XMLName.Local)
			}
			if rc, _ := r.Body.attr("ResponseClass"); rc != "Error" {
				t.Errorf("ResponseClass = %q, want Error", rc)
			}
			if diff := cmp.Diff([]string{"m:MessageText", "m:ResponseCode", "m:DescriptiveLinkKey"}, childNames(r.Body)); diff != "" {
				t.Errorf("children (-want +got):\n%s", diff)
			}
			got := []string{text(&r.Body.Children[0]), text(&r.Body.Children[1]), text(&r.Body.Children[2])}
			if diff := cmp.Diff([]string{"The phone call ID isn't valid.", "ErrorInvalidPhoneCallId", "0"}, got); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEWSDisconnectPhoneCall(t *testing.T) {
	s := newTestServer(t, Options{Calls: []Call{{ID: nastyID, State: "Connected"}}})
	c := newClient(t)
	// The second disconnect of the same call succeeds too (documented choice).
	for i := range 2 {
		r := post(t, c, s.EWSURL(), ewsRequest(t, "DisconnectPhoneCall", nastyID))
		if rc, _ := r.Body.attr("ResponseClass"); rc != "Success" || !r.Body.is(nsMessages, "DisconnectPhoneCallResponse") {
			t.Fatalf("disconnect #%d: %s ResponseClass=%q\n%s", i+1, r.Body.XMLName.Local, rc, r.Raw)
		}
		if diff := cmp.Diff([]string{"m:ResponseCode"}, childNames(r.Body)); diff != "" {
			t.Errorf("children (-want +got):\n%s", diff)
		}
	}
	got, ok := s.Call(nastyID)
	if !ok || got.State != "Disconnected" {
		t.Errorf("Call(id) = %+v, %v; want Disconnected", got, ok)
	}
	if n := s.Stats().Requests["DisconnectPhoneCall"]; n != 2 {
		t.Errorf("Stats.Requests[DisconnectPhoneCall] = %d, want 2", n)
	}
}

func TestEWSPlayOnPhone(t *testing.T) {
	s := newTestServer(t, Options{})
	c := newClient(t)
	r := post(t, c, s.EWSURL(), envelope(t, ewsPlayRequest{ItemID: testIDAttr{"AAMkAD"}, DialString: "4255550100"}))
	if rc, _ := r.Body.attr("ResponseClass"); rc != "Success" {
		t.Fatalf("ResponseClass = %q\n%s", rc, r.Raw)
	}
	if diff := cmp.Diff([]string{"m:ResponseCode", "m:PhoneCallId"}, childNames(r.Body)); diff != "" {
		t.Errorf("children (-want +got):\n%s", diff)
	}
	id, _ := childPath(t, r.Body, m("PhoneCallId")).attr("Id")
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil || !regexp.MustCompile(`^[0-9a-f]{32}\|sim\.exchsim\.local$`).Match(raw) {
		t.Errorf("call id %q decodes to %q, %v; want <hex>|sim.exchsim.local", id, raw, err)
	}

	// Connecting for exactly one lookup, then Connected.
	var states []string
	for range 3 {
		r := post(t, c, s.EWSURL(), ewsRequest(t, "GetPhoneCallInformation", id))
		states = append(states, text(childPath(t, r.Body, m("PhoneCallInformation"), ty("PhoneCallState"))))
	}
	if diff := cmp.Diff([]string{"Connecting", "Connected", "Connected"}, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}

	r = post(t, c, s.EWSURL(), envelope(t, ewsPlayRequest{ItemID: testIDAttr{"AAMkAD"}, DialString: " "}))
	if code := text(childPath(t, r.Body, m("ResponseCode"))); code != "ErrorInvalidPhoneNumber" {
		t.Errorf("empty DialString: ResponseCode %q, want ErrorInvalidPhoneNumber", code)
	}
}

// TestEWSRequestRenderings sends requests as documentation pages print
// them (https:// namespaces, prefixes, whitespace) and with a misleading
// SOAPAction, which must not matter.
func TestEWSRequestRenderings(t *testing.T) {
	s := newTestServer(t, Options{Calls: []Call{{ID: "OWVl4NWb3N29t", State: "Connected"}}})
	tests := map[string]string{
		// shared/seeds/002: https:// messages and types, http:// envelope.
		"seed https namespaces": `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
               xmlns:m="https://schemas.microsoft.com/exchange/services/2006/messages"
               xmlns:t="https://schemas.microsoft.com/exchange/services/2006/types"
               xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header><t:RequestServerVersion Version="Exchange2010" /></soap:Header>
  <soap:Body>
    <m:GetPhoneCallInformation>
      <m:PhoneCallId Id="OWVl4NWb3N29t"/>
    </m:GetPhoneCallInformation>
  </soap:Body>
</soap:Envelope>`,
		// shared/seeds/004: https:// envelope too.
		"https envelope": `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:m="https://schemas.microsoft.com/exchange/services/2006/messages"
               xmlns:soap="https://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body><m:GetPhoneCallInformation><m:PhoneCallId Id="OWVl4NWb3N29t"/></m:GetPhoneCallInformation></soap:Body>
</soap:Envelope>`,
		"default namespace, other prefixes": `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>
<GetPhoneCallInformation xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"><PhoneCallId Id="OWVl4NWb3N29t"/></GetPhoneCallInformation>
</e:Body></e:Envelope>`,
	}
	c := newClient(t)
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.EWSURL(), strings.NewReader(body))
			req.Header.Set("SOAPAction", "http://schemas.microsoft.com/exchange/services/2006/messages/DisconnectPhoneCall")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			r := post(t, c, s.EWSURL(), []byte(body)) // and once without SOAPAction
			if !r.Body.is(nsMessages, "GetPhoneCallInformationResponse") {
				t.Fatalf("body element %s\n%s", r.Body.XMLName.Local, r.Raw)
			}
			if got := text(childPath(t, r.Body, m("PhoneCallInformation"), ty("PhoneCallState"))); got != "Connected" {
				t.Errorf("state %q, want Connected (the SOAPAction must not have disconnected it)", got)
			}
		})
	}
}

func TestEWSBadRequests(t *testing.T) {
	s := newTestServer(t, Options{Calls: []Call{{ID: "live", State: "Connected"}}})
	wrongNS := strings.Replace(string(ewsRequest(t, "GetPhoneCallInformation", "live")),
		`<PhoneCallId xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"`,
		`<PhoneCallId xmlns="http://schemas.microsoft.com/exchange/services/2006/types"`, 1)
	tests := map[string]struct {
		body string
		code string
	}{
		"not xml":               {"<soap:Envelope", "ErrorSchemaValidation"},
		"not an envelope":       {`<Envelope/>`, "ErrorSchemaValidation"},
		"empty body":            {`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>`, "ErrorSchemaValidation"},
		"unknown operation":     {string(ewsRequest(t, "FindItem", "live")), "ErrorInvalidRequest"},
		"2007 op on EWS":        {string(umRequest(t, "GetCallInfo", "live")), "ErrorInvalidRequest"},
		"t:PhoneCallId":         {wrongNS, "ErrorSchemaValidation"},
		"missing PhoneCallId":   {string(envelope(t, umIDRequest{XMLName: xmlName(nsMessages, "DisconnectPhoneCall")})), "ErrorSchemaValidation"},
		"PlayOnPhone no ItemId": {string(envelope(t, umPlayRequest{DialString: "1"})), "ErrorSchemaValidation"},
	}
	c := newClient(t)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := post(t, c, s.EWSURL(), []byte(tc.body))
			assertEWSFault(t, r, tc.code)
		})
	}
	if got, _ := s.Call("live"); got.State != "Connected" {
		t.Errorf("a bad request changed the table: %+v", got)
	}
}

// assertEWSFault checks the EWS fault shape of protocol.md §2.7.
func assertEWSFault(t *testing.T, r soapResponse, code string) {
	t.Helper()
	if r.Status != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", r.Status)
	}
	if !r.Body.is(nsSOAP, "Fault") {
		t.Fatalf("body element {%s}%s, want soap Fault\n%s", r.Body.XMLName.Space, r.Body.XMLName.Local, r.Raw)
	}
	if diff := cmp.Diff([]string{"faultcode", "faultstring", "detail"}, childNames(r.Body)); diff != "" {
		t.Errorf("fault children (-want +got), must be unqualified:\n%s", diff)
	}
	fc := childPath(t, r.Body, [2]string{"", "faultcode"})
	if fc.Text != "a:"+code {
		t.Errorf("faultcode %q, want a:%s", fc.Text, code)
	}
	if !strings.Contains(string(r.Raw), `xmlns:a="`+nsTypes+`"`) {
		t.Errorf("prefix a is not bound to the types namespace:\n%s", r.Raw)
	}
	if got := text(childPath(t, r.Body, [2]string{"", "detail"}, [2]string{nsErrors, "ResponseCode"})); got != code {
		t.Errorf("detail e:ResponseCode %q, want %s", got, code)
	}
}
