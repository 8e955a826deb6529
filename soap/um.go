package soap

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"
)

// UM 2007 operation names; each is also the last segment of its SOAPAction.
const (
	opGetCallInfo    = "GetCallInfo"
	opDisconnect     = "Disconnect"
	opUMPlayOnPhone  = "PlayOnPhone"
	umResponseSuffix = "Response"
)

// DialectUM2007 is the Exchange 2007 Unified Messaging web service.
const DialectUM2007 = "um2007"

// umDialect is the UM 2007 web service (protocol.md §3): no SOAP header,
// every element in the messages namespace, every error a SOAP fault.
type umDialect struct{}

func (umDialect) Name() string         { return DialectUM2007 }
func (umDialect) Title() string        { return "Exchange 2007 UM web service" }
func (umDialect) EndpointPath() string { return "/UnifiedMessaging/Service.asmx" }
func (umDialect) Operations() (lookup, disconnect string) {
	return opGetCallInfo, opDisconnect
}

// ServerVersions: the service has no version header.
func (umDialect) ServerVersions() []string { return nil }

// Codes: the service names exceptions instead of codes. Over its
// two-calls-per-user limit it throws OverPlayOnPhoneCallLimitException,
// and a generic busy server is taken to say ServerBusyException
// (undocumented; the simulator's choice).
func (umDialect) Codes() FaultCodes {
	return FaultCodes{
		NotFound:   []string{"InvalidCallIdException"},
		Overloaded: []string{"ServerBusyException", "OverPlayOnPhoneCallLimitException"},
	}
}

func (umDialect) lookupRequest(_, callID string) ([]byte, error)     { return umGetCallInfo(callID) }
func (umDialect) disconnectRequest(_, callID string) ([]byte, error) { return umDisconnect(callID) }
func (umDialect) parseLookup(a *answer) (CallInfo, error)            { return parseGetCallInfo(a) }
func (umDialect) parseDisconnect(a *answer) error                    { return parseDisconnect(a) }
func (umDialect) caller(c *client) Caller                            { return &UMClient{c} }

// UMClient speaks the Exchange 2007 Unified Messaging web service. It is
// safe for concurrent use.
type UMClient struct{ *client }

var _ Caller = (*UMClient)(nil)

// NewUM returns a UM 2007 client for opts (opts.Dialect and
// opts.ServerVersion are not consulted).
func NewUM(opts Options) (*UMClient, error) {
	c, err := newClient(umDialect{}, opts)
	if err != nil {
		return nil, err
	}
	return &UMClient{c}, nil
}

// PlayOnPhone asks the server to dial dial and play the message entryID
// (a base64 store EntryID), and returns the new call's id.
func (c *UMClient) PlayOnPhone(ctx context.Context, entryID, dial string) (string, error) {
	payload, err := umPlayOnPhone(entryID, dial)
	return roundTrip(ctx, c.ep, opUMPlayOnPhone, payload, err, parseUMPlayOnPhone)
}

// Requests: the operation element declares the messages namespace as its
// default and its children inherit it.

type umGetCallInfoRequest struct {
	XMLName xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/messages GetCallInfo"`
	CallID  string   `xml:"http://schemas.microsoft.com/exchange/services/2006/messages CallId"`
}

type umDisconnectRequest struct {
	XMLName xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/messages Disconnect"`
	CallID  string   `xml:"http://schemas.microsoft.com/exchange/services/2006/messages CallId"`
}

type umPlayOnPhoneRequest struct {
	XMLName    xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PlayOnPhone"`
	EntryID    string   `xml:"http://schemas.microsoft.com/exchange/services/2006/messages entryId"`
	DialString string   `xml:"http://schemas.microsoft.com/exchange/services/2006/messages DialString"`
}

func umEnvelope(content any) ([]byte, error) {
	return marshalEnvelope(&requestEnvelope{Body: requestBody{Content: content}})
}

func umGetCallInfo(callID string) ([]byte, error) {
	if err := checkXMLText("call id", callID); err != nil {
		return nil, err
	}
	return umEnvelope(&umGetCallInfoRequest{CallID: callID})
}

func umDisconnect(callID string) ([]byte, error) {
	if err := checkXMLText("call id", callID); err != nil {
		return nil, err
	}
	return umEnvelope(&umDisconnectRequest{CallID: callID})
}

func umPlayOnPhone(entryID, dial string) ([]byte, error) {
	if err := checkXMLText("entry id", entryID); err != nil {
		return nil, err
	}
	if err := checkXMLText("dial string", dial); err != nil {
		return nil, err
	}
	return umEnvelope(&umPlayOnPhoneRequest{EntryID: entryID, DialString: dial})
}

// Responses: the result is wrapped twice in same-named elements, e.g.
// GetCallInfoResponse/GetCallInfoResponse/CallState.

type umGetCallInfoResponse struct {
	Result *umCallInfoResult `xml:"http://schemas.microsoft.com/exchange/services/2006/messages GetCallInfoResponse"`
}

type umCallInfoResult struct {
	CallState  *string `xml:"http://schemas.microsoft.com/exchange/services/2006/messages CallState"`
	EventCause *string `xml:"http://schemas.microsoft.com/exchange/services/2006/messages EventCause"`
}

type umDisconnectResponse struct{}

type umPlayOnPhoneResponse struct {
	CallID *string `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PlayOnPhoneResponse"`
}

func umResponseName(op string) xml.Name {
	return xml.Name{Space: NamespaceMessages, Local: op + umResponseSuffix}
}

func parseGetCallInfo(a *answer) (CallInfo, error) {
	const op = opGetCallInfo
	var r umGetCallInfoResponse
	if err := decodeAnswer(op, a, umResponseName(op), &r); err != nil {
		return CallInfo{}, err
	}
	if err := successStatus(op, a); err != nil {
		return CallInfo{}, err
	}
	// [MS-OXWUMS] says both elements MUST be present; without the state
	// there is nothing to plan with.
	if r.Result == nil || r.Result.CallState == nil {
		return CallInfo{}, &MalformedError{Operation: op, StatusCode: a.StatusCode,
			Err: errors.New("no GetCallInfoResponse/CallState in the response")}
	}
	info := CallInfo{State: strings.TrimSpace(*r.Result.CallState)}
	if r.Result.EventCause != nil {
		info.Cause = strings.TrimSpace(*r.Result.EventCause)
	}
	return info, nil
}

func parseDisconnect(a *answer) error {
	const op = opDisconnect
	if err := decodeAnswer(op, a, umResponseName(op), &umDisconnectResponse{}); err != nil {
		return err
	}
	return successStatus(op, a)
}

func parseUMPlayOnPhone(a *answer) (string, error) {
	const op = opUMPlayOnPhone
	var r umPlayOnPhoneResponse
	if err := decodeAnswer(op, a, umResponseName(op), &r); err != nil {
		return "", err
	}
	if err := successStatus(op, a); err != nil {
		return "", err
	}
	// The id is opaque and returned exactly as sent, white space included.
	if r.CallID == nil || *r.CallID == "" {
		return "", &MalformedError{Operation: op, StatusCode: a.StatusCode,
			Err: errors.New("no call id in PlayOnPhoneResponse")}
	}
	return *r.CallID, nil
}
