package soap

import (
	"context"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWireSamples is the two-way table: the request each operation emits
// must mean the same XML as the documentation's request example, and the
// documentation's response example must parse to the expected result.
func TestWireSamples(t *testing.T) {
	const (
		seedEWSID = "OWVl4NWb3N29t"
		seedUMID  = "MDlkZjllZGMtNGUyMy00NzA5LWJkYWYtN2JlMjBjYjBhZTU2QGRmLWV1bS0wMS5leGNoYW5nZS5jb3JwLm1pY3Jvc29mdC5jb20="
	)
	tests := []struct {
		name     string
		dialect  string
		op       string // SOAPAction suffix
		request  string // fixture the emitted request must equal
		response string // fixture the server answers with
		call     func(context.Context, Caller) (any, error)
		want     any
	}{
		{
			name: "EWS DisconnectPhoneCall (seed 002/003)", dialect: DialectEWS, op: "DisconnectPhoneCall",
			request: "ews_disconnectphonecall_request.xml", response: "ews_disconnectphonecall_response.xml",
			call: func(ctx context.Context, c Caller) (any, error) { return nil, c.Disconnect(ctx, seedEWSID) },
		},
		{
			name: "EWS DisconnectPhoneCall, https SOAP namespace (seed 004)", dialect: DialectEWS, op: "DisconnectPhoneCall",
			request: "ews_disconnectphonecall_request_https_soap.xml", response: "ews_disconnectphonecall_response_https_soap.xml",
			call: func(ctx context.Context, c Caller) (any, error) { return nil, c.Disconnect(ctx, seedEWSID) },
		},
		{
			name: "EWS GetPhoneCallInformation", dialect: DialectEWS, op: "GetPhoneCallInformation",
			request: "ews_getphonecallinformation_request.xml", response: "ews_getphonecallinformation_response.xml",
			call: func(ctx context.Context, c Caller) (any, error) { return c.CallInfo(ctx, "ZWMtWYtMY29t") },
			want: CallInfo{State: StateConnected, Cause: "None"},
		},
		{
			name: "EWS GetPhoneCallInformation, https namespaces and SIP fields", dialect: DialectEWS, op: "GetPhoneCallInformation",
			request: "ews_getphonecallinformation_request.xml", response: "ews_getphonecallinformation_response_https.xml",
			call: func(ctx context.Context, c Caller) (any, error) { return c.CallInfo(ctx, "ZWMtWYtMY29t") },
			want: CallInfo{State: StateDisconnected, Cause: "UserBusy", SIPResponseText: "Busy Here", SIPResponseCode: 486},
		},
		{
			// A Warning answer carried the operation out (protocol.md
			// §2: ResponseClass Success | Warning | Error); failing the
			// lookup would report a live call as unknown.
			name: "EWS GetPhoneCallInformation, ResponseClass Warning", dialect: DialectEWS, op: "GetPhoneCallInformation",
			request: "ews_getphonecallinformation_request.xml", response: "ews_getphonecallinformation_response_warning.xml",
			call: func(ctx context.Context, c Caller) (any, error) { return c.CallInfo(ctx, "ZWMtWYtMY29t") },
			want: CallInfo{State: StateConnected, Cause: "None"},
		},
		{
			// Likewise a disconnect answered with a Warning ended the call.
			name: "EWS DisconnectPhoneCall, ResponseClass Warning", dialect: DialectEWS, op: "DisconnectPhoneCall",
			request: "ews_disconnectphonecall_request.xml", response: "ews_disconnectphonecall_response_warning.xml",
			call: func(ctx context.Context, c Caller) (any, error) { return nil, c.Disconnect(ctx, seedEWSID) },
		},
		{
			name: "EWS PlayOnPhone", dialect: DialectEWS, op: "PlayOnPhone",
			request: "ews_playonphone_request.xml", response: "ews_playonphone_response.xml",
			call: func(ctx context.Context, c Caller) (any, error) {
				return c.(*EWSClient).PlayOnPhone(ctx, "AAMkADk0N2NmN2Y5LTJmNDAtNDc3OS1iNTZlLWM4OGE0ZDIwOTg3MQBGAAAAAADr0A==", "4255551212")
			},
			want: "ZWMtWYtMY29t",
		},
		{
			name: "UM Disconnect (seed 000/001)", dialect: DialectUM2007, op: "Disconnect",
			request: "um_disconnect_request.xml", response: "um_disconnect_response.xml",
			call: func(ctx context.Context, c Caller) (any, error) { return nil, c.Disconnect(ctx, seedUMID) },
		},
		{
			name: "UM GetCallInfo", dialect: DialectUM2007, op: "GetCallInfo",
			request: "um_getcallinfo_request.xml", response: "um_getcallinfo_response.xml",
			call: func(ctx context.Context, c Caller) (any, error) { return c.CallInfo(ctx, seedUMID) },
			want: CallInfo{State: StateConnected, Cause: "None"},
		},
		{
			name: "UM PlayOnPhone", dialect: DialectUM2007, op: "PlayOnPhone",
			request: "um_playonphone_request.xml", response: "um_playonphone_response.xml",
			call: func(ctx context.Context, c Caller) (any, error) {
				return c.(*UMClient).PlayOnPhone(ctx, "AAAAAHRQYXRoAQA=", "4255551212")
			},
			want: seedUMID,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(200, fixture(t, tt.response))
			srv := newServer(t, rec)
			path := "/EWS/Exchange.asmx"
			if tt.dialect == DialectUM2007 {
				path = "/UnifiedMessaging/Service.asmx"
			}
			c := mustNew(t, Options{URL: srv.URL + path, Dialect: tt.dialect})

			got, err := tt.call(context.Background(), c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parsed response mismatch (-want +got):\n%s", diff)
			}

			req := rec.last(t)
			want := parseTree(t, fixture(t, tt.request))
			if diff := cmp.Diff(want, parseTree(t, req.body)); diff != "" {
				t.Errorf("emitted request differs from %s (-doc +emitted):\n%s\nemitted: %s", tt.request, diff, req.body)
			}
			wantHeaders := map[string]string{
				"SOAPAction":   `"` + NamespaceMessages + "/" + tt.op + `"`,
				"Content-Type": "text/xml; charset=utf-8",
				"Accept":       "text/xml",
				"User-Agent":   DefaultUserAgent,
			}
			for k, v := range wantHeaders {
				if got := req.header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if !strings.HasPrefix(string(req.body), "<?xml") {
				t.Errorf("request lacks an XML declaration: %.60s", req.body)
			}
		})
	}
}

// TestRequestNamespaces pins what the structural table implies: the EWS
// call id sits in messages (not types) with an unqualified Id, the server
// version header in types, and UM has no header at all.
func TestRequestNamespaces(t *testing.T) {
	ews, err := NewEWS(Options{URL: "https://mail.example/EWS/Exchange.asmx", ServerVersion: "Exchange2013"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ews.disconnectPhoneCall("x")
	if err != nil {
		t.Fatal(err)
	}
	tree := parseTree(t, b)
	header, body := tree.Children[0], tree.Children[1]
	rsv := header.Children[0]
	if rsv.Name != (xml.Name{Space: NamespaceTypes, Local: "RequestServerVersion"}) || rsv.Attrs[0].Value != "Exchange2013" {
		t.Errorf("header = %+v, want t:RequestServerVersion Version=Exchange2013", rsv)
	}
	id := body.Children[0].Children[0]
	if id.Name != (xml.Name{Space: NamespaceMessages, Local: "PhoneCallId"}) {
		t.Errorf("call id element = %v, want messages PhoneCallId", id.Name)
	}
	if id.Attrs[0].Name != (xml.Name{Local: "Id"}) {
		t.Errorf("call id attribute = %v, want unqualified Id", id.Attrs[0].Name)
	}

	um, err := umDisconnect("x")
	if err != nil {
		t.Fatal(err)
	}
	if tree := parseTree(t, um); len(tree.Children) != 1 || tree.Children[0].Name.Local != "Body" {
		t.Errorf("UM envelope children = %+v, want only Body", tree.Children)
	}
}
