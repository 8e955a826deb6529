package soap

import (
	"errors"
	"testing"
)

// benchmarkParse times parse on a fixture; a 500 fixture is a fault and
// must parse to one, anything else must parse cleanly.
func benchmarkParse(b *testing.B, status int, name string, parse func(*answer) error) {
	a := &answer{StatusCode: status, Header: map[string][]string{"Content-Type": {"text/xml; charset=utf-8"}}, Body: fixture(b, name)}
	err := parse(a)
	if wantFault := status == 500; wantFault != errors.As(err, new(*Fault)) || !wantFault && err != nil {
		b.Fatalf("%s: err = %v", name, err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(a.Body)))
	for b.Loop() {
		parse(a)
	}
}

func BenchmarkBuildRequest(b *testing.B) {
	c, err := NewEWS(Options{URL: "https://mail.example/EWS/Exchange.asmx"})
	if err != nil {
		b.Fatal(err)
	}
	id := longID(120)
	builds := map[string]func() ([]byte, error){
		"GetPhoneCallInformation": func() ([]byte, error) { return c.getPhoneCallInformation(id) },
		"DisconnectPhoneCall":     func() ([]byte, error) { return c.disconnectPhoneCall(id) },
		"PlayOnPhone":             func() ([]byte, error) { return c.playOnPhone(id, "4255551212") },
	}
	for name, build := range builds {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := build(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBuildUMRequest(b *testing.B) {
	id := longID(120)
	builds := map[string]func() ([]byte, error){
		"GetCallInfo": func() ([]byte, error) { return umGetCallInfo(id) },
		"Disconnect":  func() ([]byte, error) { return umDisconnect(id) },
		"PlayOnPhone": func() ([]byte, error) { return umPlayOnPhone(id, "4255551212") },
	}
	for name, build := range builds {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := build(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseGetPhoneCallInformation(b *testing.B) {
	benchmarkParse(b, 200, "ews_getphonecallinformation_response.xml", func(a *answer) error {
		_, err := parseGetPhoneCallInformation(a)
		return err
	})
}

func BenchmarkParseDisconnectResponse(b *testing.B) {
	benchmarkParse(b, 200, "ews_disconnectphonecall_response.xml", parseDisconnectPhoneCall)
}

func BenchmarkParseFault(b *testing.B) {
	benchmarkParse(b, 500, "ews_fault_serverbusy_types.xml", func(a *answer) error {
		_, err := parseGetPhoneCallInformation(a)
		return err
	})
}

func BenchmarkParseGetCallInfo(b *testing.B) {
	benchmarkParse(b, 200, "um_getcallinfo_response.xml", func(a *answer) error {
		_, err := parseGetCallInfo(a)
		return err
	})
}

func BenchmarkParseUMDisconnectResponse(b *testing.B) {
	benchmarkParse(b, 200, "um_disconnect_response.xml", parseDisconnect)
}

func BenchmarkParseUMFault(b *testing.B) {
	benchmarkParse(b, 500, "um_fault_invalidcallid.xml", func(a *answer) error {
		_, err := parseGetCallInfo(a)
		return err
	})
}

// BenchmarkDecodeEnvelope compares the single-pass reader with the exact
// path (encoding/xml's Token and reflection) it stands in for, on the
// answer a plan reads for every call: the allocations per answer are the
// figure to watch.
func BenchmarkDecodeEnvelope(b *testing.B) {
	data := fixture(b, "ews_getphonecallinformation_response.xml")
	want := responseName(opGetPhoneCallInformation)
	for name, decode := range map[string]func([]byte, *responseBody) error{
		"fast": func(d []byte, body *responseBody) error {
			if !decodeEnvelopeFast(d, body) {
				return errors.New("the fast path gave up")
			}
			return nil
		},
		"std": decodeEnvelopeStd,
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var r getPhoneCallInformationResponse
				body := responseBody{Want: want, Content: &r}
				if err := decode(data, &body); err != nil || !body.Found {
					b.Fatalf("err %v, found %v", err, body.Found)
				}
			}
		})
	}
}
