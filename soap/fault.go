package soap

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Fault is a SOAP 1.1 fault. EWS sends ErrorServerBusy, transient and
// schema errors this way (protocol.md §2.7); the UM 2007 service sends every
// error this way, with an exception name as the code (§3).
type Fault struct {
	Operation string
	// Code is the local part of faultcode: "ErrorServerBusy" for
	// "a:ErrorServerBusy", "InvalidCallIdException", "Client".
	Code   string
	String string // faultstring, verbatim
	// ResponseCode and Message come from an EWS fault's detail
	// (e:ResponseCode, e:Message); ExceptionType from a UM fault's
	// detail (m:ExceptionType). Empty when absent.
	ResponseCode  string
	Message       string
	ExceptionType string
	// BackOff is detail/MessageXml/Value[@Name="BackOffMilliseconds"].
	BackOff time.Duration
	// StatusCode is the HTTP status the fault came with, normally 500.
	StatusCode int
}

func (f *Fault) Error() string {
	text := f.Message
	if text == "" {
		text = f.String
	}
	return answered(f.Operation, f.name(), f.BackOff, text)
}

// name is the most specific code the fault carries: an old-style fault
// says "Client" in faultcode and the real reason in its detail.
func (f *Fault) name() string {
	switch {
	case f.ResponseCode != "":
		return f.ResponseCode
	case f.Code != "":
		return f.Code
	case f.ExceptionType != "":
		return f.ExceptionType
	}
	return "a SOAP fault"
}

// Is makes errors.Is(err, ErrCallNotFound) true for an unknown call id,
// whichever of the fault's codes names it.
func (f *Fault) Is(target error) bool {
	return target == ErrCallNotFound && f.hasCode(callNotFoundCodes)
}

func (f *Fault) hasCode(set map[string]bool) bool {
	return set[f.Code] || set[f.ResponseCode] || set[f.ExceptionType]
}

// faultXML is the wire shape. Children of Fault are unqualified in SOAP 1.1
// and the detail children come in the errors, types or messages namespace
// depending on server version, so all are matched by local name.
type faultXML struct {
	Code   string `xml:"faultcode"`
	String string `xml:"faultstring"`
	Detail struct {
		ResponseCode  string     `xml:"ResponseCode"`
		ErrorCode     string     `xml:"ErrorCode"` // older EWS fault shape
		Message       string     `xml:"Message"`
		ExceptionType string     `xml:"ExceptionType"`
		MessageXML    messageXML `xml:"MessageXml"`
	} `xml:"detail"`
}

// messageXML is EWS's name/value bag (MessageXml/Value @Name).
type messageXML struct {
	Values []struct {
		Name  string `xml:"Name,attr"`
		Value string `xml:",chardata"`
	} `xml:"Value"`
}

// backOff returns the BackOffMilliseconds value, 0 when absent or not a
// non-negative integer. Huge values are clamped rather than overflowing.
func (m *messageXML) backOff() time.Duration {
	for _, v := range m.Values {
		if v.Name != "BackOffMilliseconds" {
			continue
		}
		ms, err := strconv.ParseInt(strings.TrimSpace(v.Value), 10, 64)
		if err != nil || ms <= 0 {
			return 0
		}
		if ms > math.MaxInt64/int64(time.Millisecond) {
			return time.Duration(math.MaxInt64)
		}
		return time.Duration(ms) * time.Millisecond
	}
	return 0
}

func (x *faultXML) toFault(op string, status int) *Fault {
	code := strings.TrimSpace(x.Code)
	if i := strings.LastIndexByte(code, ':'); i >= 0 {
		code = code[i+1:]
	}
	rc := strings.TrimSpace(x.Detail.ResponseCode)
	if rc == "" {
		rc = strings.TrimSpace(x.Detail.ErrorCode)
	}
	return &Fault{
		Operation:     op,
		Code:          code,
		String:        x.String,
		ResponseCode:  rc,
		Message:       x.Detail.Message,
		ExceptionType: strings.TrimSpace(x.Detail.ExceptionType),
		BackOff:       x.Detail.MessageXML.backOff(),
		StatusCode:    status,
	}
}
