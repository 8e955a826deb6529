package soap

import (
	"errors"
	"net/http"
	"slices"
	"testing"
)

func TestDialectRegistry(t *testing.T) {
	if got, want := DialectNames(), []string{DialectEWS, DialectUM2007}; !slices.Equal(got, want) {
		t.Fatalf("DialectNames() = %v, want %v (the default first)", got, want)
	}
	if LookupDialect("") != LookupDialect(DefaultDialect) || LookupDialect("soap12") != nil {
		t.Error(`LookupDialect: "" must be the default, an unknown name nil`)
	}
	tests := []struct {
		name               string
		path               string
		lookup, disconnect string
		versioned          bool
	}{
		{DialectEWS, "/EWS/Exchange.asmx", "GetPhoneCallInformation", "DisconnectPhoneCall", true},
		{DialectUM2007, "/UnifiedMessaging/Service.asmx", "GetCallInfo", "Disconnect", false},
	}
	for _, tt := range tests {
		d := LookupDialect(tt.name)
		lookup, disconnect := d.Operations()
		if d.EndpointPath() != tt.path || lookup != tt.lookup || disconnect != tt.disconnect || (len(d.ServerVersions()) > 0) != tt.versioned {
			t.Errorf("%s: path %q ops %q %q versions %v", tt.name, d.EndpointPath(), lookup, disconnect, d.ServerVersions())
		}
	}
	if v := LookupDialect(DialectEWS).ServerVersions()[0]; v != DefaultServerVersion {
		t.Errorf("the EWS default version is %q, want %q first", v, DefaultServerVersion)
	}
}

// Each dialect's codes classify errors whatever dialect they came from.
func TestDialectCodesClassify(t *testing.T) {
	for _, d := range Dialects() {
		codes := d.Codes()
		for _, c := range codes.NotFound {
			if err := (&ResponseError{Code: c}); !errors.Is(err, ErrCallNotFound) {
				t.Errorf("%s: %s is not ErrCallNotFound", d.Name(), c)
			}
			if err := (&Fault{ExceptionType: c}); !errors.Is(err, ErrCallNotFound) {
				t.Errorf("%s: fault %s is not ErrCallNotFound", d.Name(), c)
			}
		}
		for _, c := range codes.Overloaded {
			if !Overloaded(&ResponseError{Code: c}) || !Overloaded(&Fault{ExceptionType: c}) {
				t.Errorf("%s: %s is not Overloaded", d.Name(), c)
			}
			if !transientCodes[c] {
				t.Errorf("%s: overloaded %s is not transient", d.Name(), c)
			}
		}
		for _, c := range codes.Transient {
			if !transientCodes[c] || Overloaded(&ResponseError{Code: c}) {
				t.Errorf("%s: %s: transient %v overloaded %v", d.Name(), c, transientCodes[c], Overloaded(&ResponseError{Code: c}))
			}
		}
	}
	if !Overloaded(&HTTPError{StatusCode: http.StatusServiceUnavailable}) || Overloaded(&ResponseError{Code: "ErrorInvalidPhoneCallId"}) {
		t.Error("HTTP 503 must be overloaded, an unknown call id not")
	}
}

// New returns the exported client of each dialect, which names its
// operations as the dialect does.
func TestNewBuildsEachDialect(t *testing.T) {
	for _, d := range Dialects() {
		c, err := New(Options{URL: "https://mail.example" + d.EndpointPath(), Dialect: d.Name()})
		if err != nil {
			t.Fatalf("%s: %v", d.Name(), err)
		}
		n, ok := c.(OperationNamer)
		if !ok {
			t.Fatalf("%s: %T names no operations", d.Name(), c)
		}
		l1, d1 := n.OperationNames()
		l2, d2 := d.Operations()
		if l1 != l2 || d1 != d2 {
			t.Errorf("%s: client names %s/%s, dialect %s/%s", d.Name(), l1, d1, l2, d2)
		}
		c.Close()
	}
	if _, ok := mustNew(t, Options{URL: "https://m/EWS/Exchange.asmx"}).(*EWSClient); !ok {
		t.Error("the default dialect does not give an *EWSClient")
	}
	if _, ok := mustNew(t, Options{URL: "https://m/x", Dialect: DialectUM2007}).(*UMClient); !ok {
		t.Error("um2007 does not give a *UMClient")
	}
}
