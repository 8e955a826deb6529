package exchsim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUM2007GetCallInfoAndDisconnect(t *testing.T) {
	s := newTestServer(t, Options{Calls: []Call{
		{ID: "live", State: "Connected"},
		{ID: "busy", State: "Disconnected", Cause: "NoAnswer"},
		{ID: nastyID, State: "Connected"},
	}})
	c := newClient(t)
	for _, url := range []string{s.UM2007URL(), s.URL + UM2007LegacyPath} {
		t.Run(url[len(s.URL):], func(t *testing.T) {
			tests := map[string]struct{ id, state, cause string }{
				"connected":  {"live", "Connected", "None"},
				"with cause": {"busy", "Disconnected", "NoAnswer"},
				"nasty id":   {nastyID, "Connected", "None"},
			}
			for name, tc := range tests {
				r := post(t, c, url, umRequest(t, "GetCallInfo", tc.id))
				if r.SOAPHeader != nil {
					t.Errorf("%s: the 2007 service sends no SOAP header", name)
				}
				inner := childPath(t, r.Body, m("GetCallInfoResponse"))
				if !r.Body.is(nsMessages, "GetCallInfoResponse") {
					t.Fatalf("%s: body element %s", name, r.Body.XMLName.Local)
				}
				if diff := cmp.Diff([]string{"m:CallState", "m:EventCause"}, childNames(inner)); diff != "" {
					t.Errorf("%s: children (-want +got):\n%s", name, diff)
				}
				got := []string{inner.Children[0].Text, inner.Children[1].Text}
				if diff := cmp.Diff([]string{tc.state, tc.cause}, got); diff != "" {
					t.Errorf("%s: state, cause (-want +got):\n%s", name, diff)
				}
			}
		})
	}

	r := post(t, c, s.UM2007URL(), umRequest(t, "Disconnect", nastyID))
	if r.Status != http.StatusOK || !r.Body.is(nsMessages, "DisconnectResponse") || len(r.Body.Children) != 0 {
		t.Errorf("Disconnect: status %d, body %s with %d children; want 200 and empty DisconnectResponse", r.Status, r.Body.XMLName.Local, len(r.Body.Children))
	}
	if got, _ := s.Call(nastyID); got.State != "Disconnected" {
		t.Errorf("after Disconnect: %+v", got)
	}
}

func TestUM2007Faults(t *testing.T) {
	s := newTestServer(t, Options{Calls: []Call{{ID: "live", State: "Connected"}}})
	c := newClient(t)
	tests := map[string]struct {
		body          []byte
		code, codeNS  string
		exceptionType string
	}{
		"GetCallInfo unknown":  {umRequest(t, "GetCallInfo", "nope"), "a:InvalidCallIdException", nsErrors, "InvalidCallIdException"},
		"Disconnect unknown":   {umRequest(t, "Disconnect", "nope"), "a:InvalidCallIdException", nsErrors, "InvalidCallIdException"},
		"GetCallInfo no id":    {umRequest(t, "GetCallInfo", ""), "a:InvalidCallIdException", nsErrors, "InvalidCallIdException"},
		"id is not trimmed":    {umRequest(t, "GetCallInfo", " live"), "a:InvalidCallIdException", nsErrors, "InvalidCallIdException"},
		"PlayOnPhone no entry": {envelope(t, umPlayRequest{DialString: "1"}), "a:InvalidObjectIdException", nsErrors, "InvalidObjectIdException"},
		"malformed":            {[]byte("<nope"), "a:Client", nsSOAP, ""},
		"EWS op on 2007":       {ewsRequest(t, "GetPhoneCallInformation", "live"), "a:Client", nsSOAP, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := post(t, c, s.UM2007URL(), tc.body)
			if r.Status != http.StatusInternalServerError || !r.Body.is(nsSOAP, "Fault") {
				t.Fatalf("status %d, body %s; want 500 soap Fault\n%s", r.Status, r.Body.XMLName.Local, r.Raw)
			}
			if got := childPath(t, r.Body, [2]string{"", "faultcode"}).Text; got != tc.code {
				t.Errorf("faultcode %q, want %q", got, tc.code)
			}
			if !strings.Contains(string(r.Raw), `xmlns:a="`+tc.codeNS+`"`) {
				t.Errorf("prefix a not bound to %s:\n%s", tc.codeNS, r.Raw)
			}
			if tc.exceptionType != "" {
				if got := childPath(t, r.Body, [2]string{"", "detail"}, m("ExceptionType")).Text; got != tc.exceptionType {
					t.Errorf("ExceptionType %q, want %q", got, tc.exceptionType)
				}
			}
			if tc.code == "a:InvalidCallIdException" {
				if got := childPath(t, r.Body, [2]string{"", "faultstring"}).Text; got != "The call identifier isn't valid." {
					t.Errorf("faultstring %q", got)
				}
			}
		})
	}
}

// TestDialectsShareCalls places a call with one dialect and follows and
// ends it with the other.
func TestDialectsShareCalls(t *testing.T) {
	s := newTestServer(t, Options{})
	c := newClient(t)

	r := post(t, c, s.UM2007URL(), envelope(t, umPlayRequest{EntryID: "AAAAADk=", DialString: "4255550100"}))
	inner := childPath(t, r.Body, m("PlayOnPhoneResponse"))
	umID := inner.Text
	if _, ok := s.Call(umID); !ok {
		t.Fatalf("2007 PlayOnPhone returned %q, not in the table", umID)
	}
	state := func(id string) string {
		r := post(t, c, s.EWSURL(), ewsRequest(t, "GetPhoneCallInformation", id))
		return text(childPath(t, r.Body, m("PhoneCallInformation"), ty("PhoneCallState")))
	}
	if got := state(umID); got != "Connecting" {
		t.Errorf("EWS first sees %q, want Connecting", got)
	}
	post(t, c, s.EWSURL(), ewsRequest(t, "DisconnectPhoneCall", umID))
	r = post(t, c, s.UM2007URL(), umRequest(t, "GetCallInfo", umID))
	if got := childPath(t, r.Body, m("GetCallInfoResponse"), m("CallState")).Text; got != "Disconnected" {
		t.Errorf("2007 GetCallInfo after EWS disconnect: %q", got)
	}

	r = post(t, c, s.EWSURL(), envelope(t, ewsPlayRequest{ItemID: testIDAttr{"AAMkAD"}, DialString: "1"}))
	ewsID, _ := childPath(t, r.Body, m("PhoneCallId")).attr("Id")
	post(t, c, s.UM2007URL(), umRequest(t, "Disconnect", ewsID))
	if got := state(ewsID); got != "Disconnected" {
		t.Errorf("EWS after 2007 Disconnect: %q", got)
	}

	want := map[string]int64{"PlayOnPhone": 2, "GetPhoneCallInformation": 2, "DisconnectPhoneCall": 1, "GetCallInfo": 1, "Disconnect": 1}
	if diff := cmp.Diff(want, s.Stats().Requests); diff != "" {
		t.Errorf("Stats.Requests (-want +got):\n%s", diff)
	}
}
