package soap

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ewsInfoAnswer(children string) *answer {
	return &answer{StatusCode: 200, Body: envelopeWith(`<m:GetPhoneCallInformationResponse ResponseClass="Success" xmlns:m="` + NamespaceMessages +
		`" xmlns:t="` + NamespaceTypes + `"><m:ResponseCode>NoError</m:ResponseCode><m:PhoneCallInformation>` + children +
		`</m:PhoneCallInformation></m:GetPhoneCallInformationResponse>`)}
}

func umInfoAnswer(children string) *answer {
	return &answer{StatusCode: 200, Body: envelopeWith(`<GetCallInfoResponse xmlns="` + NamespaceMessages +
		`"><GetCallInfoResponse>` + children + `</GetCallInfoResponse></GetCallInfoResponse>`)}
}

// TestStatesAndCauses: every documented state and cause parses in both
// dialects, and values this package does not know are kept verbatim.
func TestStatesAndCauses(t *testing.T) {
	states := []string{StateIdle, StateConnecting, StateAlerted, StateConnected, StateDisconnected,
		StateIncoming, StateTransferring, StateForwarding, "Hungup", "on hold"}
	causes := []string{"None", "UserBusy", "NoAnswer", "Unavailable", "Other", "Meteorite"}
	for _, state := range states {
		for _, cause := range causes {
			want := CallInfo{State: state, Cause: cause}
			got, err := parseGetPhoneCallInformation(ewsInfoAnswer(
				`<t:PhoneCallState>` + state + `</t:PhoneCallState><t:ConnectionFailureCause>` + cause + `</t:ConnectionFailureCause>`))
			if err != nil || got != want {
				t.Errorf("EWS %s/%s: got %+v, %v", state, cause, got, err)
			}
			got, err = parseGetCallInfo(umInfoAnswer(`<CallState>` + state + `</CallState><EventCause>` + cause + `</EventCause>`))
			if err != nil || got != want {
				t.Errorf("UM %s/%s: got %+v, %v", state, cause, got, err)
			}
		}
	}
}

func TestPhoneCallInformationVariants(t *testing.T) {
	tests := []struct {
		name     string
		children string
		want     CallInfo
		wantErr  bool
	}{
		{"SIP fields present", `<t:PhoneCallState>Disconnected</t:PhoneCallState><t:ConnectionFailureCause>NoAnswer</t:ConnectionFailureCause>` +
			`<t:SIPResponseText>Request Timeout</t:SIPResponseText><t:SIPResponseCode>408</t:SIPResponseCode>`,
			CallInfo{State: "Disconnected", Cause: "NoAnswer", SIPResponseText: "Request Timeout", SIPResponseCode: 408}, false},
		{"children matched by local name in any namespace", `<PhoneCallState>Connected</PhoneCallState><m:ConnectionFailureCause>None</m:ConnectionFailureCause>`,
			CallInfo{State: "Connected", Cause: "None"}, false},
		{"non-integer SIP code dropped", `<t:PhoneCallState>Connected</t:PhoneCallState><t:ConnectionFailureCause>None</t:ConnectionFailureCause><t:SIPResponseCode>OK</t:SIPResponseCode>`,
			CallInfo{State: "Connected", Cause: "None"}, false},
		{"unknown child ignored", `<t:PhoneCallState>Connected</t:PhoneCallState><t:Future>x</t:Future><t:ConnectionFailureCause>None</t:ConnectionFailureCause>`,
			CallInfo{State: "Connected", Cause: "None"}, false},
		{"state missing", `<t:ConnectionFailureCause>None</t:ConnectionFailureCause>`, CallInfo{}, true},
	}
	for _, tt := range tests {
		got, err := parseGetPhoneCallInformation(ewsInfoAnswer(tt.children))
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if _, err := parseGetCallInfo(umInfoAnswer(`<EventCause>None</EventCause>`)); !errors.As(err, new(*MalformedError)) {
		t.Errorf("UM without CallState: err = %v, want *MalformedError", err)
	}
	// UM children must be in the messages namespace.
	if _, err := parseGetCallInfo(&answer{StatusCode: 200, Body: envelopeWith(`<GetCallInfoResponse xmlns="` + NamespaceMessages +
		`"><GetCallInfoResponse><CallState xmlns="urn:other">Connected</CallState></GetCallInfoResponse></GetCallInfoResponse>`)}); err == nil {
		t.Error("UM CallState in a foreign namespace was accepted")
	}
}

// fuzzSeeds adds every wire fixture to a fuzz corpus.
func fuzzSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "wire", "*.xml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(200, b)
		f.Add(500, b)
	}
}

// checkTyped fails unless err is nil or one of this package's error types:
// a decoder must classify whatever it is given.
func checkTyped(t *testing.T, err error) {
	if err == nil {
		return
	}
	if !errors.As(err, new(*MalformedError)) && !errors.As(err, new(*Fault)) &&
		!errors.As(err, new(*ResponseError)) && !errors.As(err, new(*HTTPError)) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
	_ = err.Error()
	Retryable(err)
}

func FuzzDecodeEnvelope(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, status int, data []byte) {
		a := &answer{StatusCode: status, Header: make(map[string][]string), Body: data}
		info, err := parseGetPhoneCallInformation(a)
		checkTyped(t, err)
		if err == nil && (status < 200 || status > 299) {
			t.Fatalf("status %d parsed as success: %+v", status, info)
		}
		if err := parseDisconnectPhoneCall(a); err == nil && (status < 200 || status > 299) {
			t.Fatalf("status %d parsed as a successful disconnect", status)
		} else {
			checkTyped(t, err)
		}
		id, err := parsePlayOnPhone(a)
		checkTyped(t, err)
		if err == nil && id == "" {
			t.Fatal("PlayOnPhone succeeded with an empty id")
		}
	})
}

func FuzzDecodeUMResponse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, status int, data []byte) {
		a := &answer{StatusCode: status, Header: make(map[string][]string), Body: data}
		info, err := parseGetCallInfo(a)
		checkTyped(t, err)
		if err == nil && (status < 200 || status > 299) {
			t.Fatalf("status %d parsed as success: %+v", status, info)
		}
		if err := parseDisconnect(a); err == nil && (status < 200 || status > 299) {
			t.Fatalf("status %d parsed as a successful disconnect", status)
		} else {
			checkTyped(t, err)
		}
		id, err := parseUMPlayOnPhone(a)
		checkTyped(t, err)
		if err == nil && id == "" {
			t.Fatal("PlayOnPhone succeeded with an empty id")
		}
	})
}
