package soap

import (
	"encoding/xml"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fastCases are the response types with a single-pass reader, each with
// the element name its parser asks for.
var fastCases = []struct {
	name string
	want xml.Name
	new  func() fastReadable
}{
	{"GetPhoneCallInformation", responseName(opGetPhoneCallInformation), func() fastReadable { return new(getPhoneCallInformationResponse) }},
	{"DisconnectPhoneCall", responseName(opDisconnectPhoneCall), func() fastReadable { return new(disconnectPhoneCallResponse) }},
	{"GetCallInfo", umResponseName(opGetCallInfo), func() fastReadable { return new(umGetCallInfoResponse) }},
	{"Disconnect", umResponseName(opDisconnect), func() fastReadable { return new(umDisconnectResponse) }},
}

// checkFastMatchesStd decodes data both ways for every fast case. Where
// the single-pass reader answers, it must fill exactly what the exact
// path fills and the exact path must accept the document; where it gives
// up, it must leave the body and content as they were.
func checkFastMatchesStd(t *testing.T, data []byte) (answered int) {
	t.Helper()
	for _, c := range fastCases {
		fast := c.new()
		fb := responseBody{Want: c.want, Content: fast}
		if !decodeEnvelopeFast(data, &fb) {
			if diff := cmp.Diff(c.new(), fast, allFields); diff != "" || fb.Found || fb.Fault != nil {
				t.Fatalf("%s: gave up but left a partial read (found %v, fault %v):\n%s", c.name, fb.Found, fb.Fault, diff)
			}
			continue
		}
		answered++
		std := c.new()
		sb := responseBody{Want: c.want, Content: std}
		if err := decodeEnvelopeStd(data, &sb); err != nil {
			t.Fatalf("%s: the single-pass reader accepted what encoding/xml refuses (%v):\n%q", c.name, err, data)
		}
		if fb.Found != sb.Found || (fb.Fault == nil) != (sb.Fault == nil) {
			t.Fatalf("%s: found %v fault %v, encoding/xml found %v fault %v:\n%q", c.name, fb.Found, fb.Fault, sb.Found, sb.Fault, data)
		}
		if diff := cmp.Diff(std, fast, allFields); diff != "" {
			t.Fatalf("%s: single-pass reader differs from encoding/xml (-std +fast):\n%s\n%q", c.name, diff, data)
		}
	}
	return answered
}

// allFields lets cmp compare the unexported wire types.
var allFields = cmp.Exporter(func(reflect.Type) bool { return true })

// fastSeeds are documents that probe where the single-pass reader could
// part from encoding/xml's Token and reflection.
var fastSeeds = []string{
	// https:// renderings, on the envelope and on the children.
	`<s:Envelope xmlns:s="https://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetPhoneCallInformationResponse ResponseClass="Success" xmlns="https://schemas.microsoft.com/exchange/services/2006/messages"><ResponseCode>NoError</ResponseCode><PhoneCallInformation><PhoneCallState>Connected</PhoneCallState></PhoneCallInformation></GetPhoneCallInformationResponse></s:Body></s:Envelope>`,
	// Repeated elements: the last text wins, structs merge.
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body><m:GetPhoneCallInformationResponse xmlns:m="` + NamespaceMessages + `" ResponseClass="Error" ResponseClass2="x"><m:ResponseCode>A</m:ResponseCode><m:ResponseCode>B</m:ResponseCode><m:PhoneCallInformation><PhoneCallState>Idle</PhoneCallState><SIPResponseCode>1</SIPResponseCode></m:PhoneCallInformation><m:PhoneCallInformation><PhoneCallState>Connected</PhoneCallState></m:PhoneCallInformation></m:GetPhoneCallInformationResponse><m:GetPhoneCallInformationResponse xmlns:m="` + NamespaceMessages + `" ResponseClass="Success"/></s:Body></s:Envelope>`,
	// Text in pieces: CDATA, a comment, a child element, an entity.
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body><GetCallInfoResponse xmlns="` + NamespaceMessages + `"><GetCallInfoResponse><CallState>Con<![CDATA[nec]]><!-- c -->t<x>no</x>ed&amp;</CallState><EventCause/></GetCallInfoResponse></GetCallInfoResponse></s:Body></s:Envelope>`,
	// A namespaced attribute and a declaration named ResponseClass.
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body><DisconnectPhoneCallResponse xmlns="` + NamespaceMessages + `" xmlns:ResponseClass="https://schemas.microsoft.com/exchange/services/2006/types" p:ResponseClass="Success"/></s:Body></s:Envelope>`,
	// Undeclared prefixes, a redeclared prefix, a default namespace undone.
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body><q:GetCallInfoResponse><GetCallInfoResponse/></q:GetCallInfoResponse><s:GetCallInfoResponse xmlns:s="` + NamespaceMessages + `"><s:GetCallInfoResponse><CallState xmlns="">x</CallState><s:CallState>Idle</s:CallState></s:GetCallInfoResponse></s:GetCallInfoResponse></s:Body></s:Envelope>`,
	// The fault, a second Body, a Body in the wrong namespace.
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body><s:Fault><faultcode>a:ErrorServerBusy</faultcode></s:Fault></s:Body></s:Envelope>`,
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body/><s:Body><DisconnectResponse xmlns="` + NamespaceMessages + `"/></s:Body></s:Envelope>`,
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><Body><DisconnectResponse xmlns="` + NamespaceMessages + `"/></Body></s:Envelope>trailing <garbage`,
	// Mismatched and missing end tags, a directive inside the body.
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body><DisconnectResponse xmlns="` + NamespaceMessages + `"></s:Body></s:Envelope>`,
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body><DisconnectResponse xmlns="` + NamespaceMessages + `"/>`,
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body><!DOCTYPE x><DisconnectResponse xmlns="` + NamespaceMessages + `"/></s:Body></s:Envelope>`,
	// Nesting at and past MaxDepth.
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body>` + strings.Repeat("<a>", MaxDepth-2) + strings.Repeat("</a>", MaxDepth-2) + `</s:Body></s:Envelope>`,
	`<s:Envelope xmlns:s="` + NamespaceSOAP + `"><s:Body>` + strings.Repeat("<a>", MaxDepth-1) + strings.Repeat("</a>", MaxDepth-1) + `</s:Body></s:Envelope>`,
}

func TestFastDecodeMatchesStd(t *testing.T) {
	answered := 0
	for _, s := range fastSeeds {
		answered += checkFastMatchesStd(t, []byte(s))
	}
	for _, name := range []string{"ews_getphonecallinformation_response.xml", "ews_getphonecallinformation_response_https.xml",
		"ews_getphonecallinformation_response_warning.xml", "ews_disconnectphonecall_response.xml", "ews_disconnectphonecall_response_https_soap.xml",
		"ews_disconnectphonecall_response_warning.xml", "ews_error_invalidphonecallid.xml", "um_getcallinfo_response.xml", "um_disconnect_response.xml"} {
		if checkFastMatchesStd(t, fixture(t, name)) == 0 {
			t.Errorf("%s: no response type took the single-pass reader", name)
		}
	}
	if answered == 0 {
		t.Error("the single-pass reader answered none of the probes")
	}
}

// The fixtures a plan or an apply reads for every call take the
// single-pass reader, not the exact path.
func TestFastDecodeTakesTheCommonAnswers(t *testing.T) {
	for _, tt := range []struct {
		fixture string
		c       int // index in fastCases
	}{
		{"ews_getphonecallinformation_response.xml", 0},
		{"ews_getphonecallinformation_response_https.xml", 0},
		{"ews_disconnectphonecall_response.xml", 1},
		{"um_getcallinfo_response.xml", 2},
		{"um_disconnect_response.xml", 3},
	} {
		c := fastCases[tt.c]
		body := responseBody{Want: c.want, Content: c.new()}
		if !decodeEnvelopeFast(fixture(t, tt.fixture), &body) || !body.Found {
			t.Errorf("%s: the single-pass reader gave up (found %v)", tt.fixture, body.Found)
		}
	}
}

func FuzzFastDecodeMatchesStd(f *testing.F) {
	fuzzSeeds(f)
	for _, s := range fastSeeds {
		f.Add(200, []byte(s))
	}
	f.Fuzz(func(t *testing.T, _ int, data []byte) {
		checkFastMatchesStd(t, data)
	})
}
