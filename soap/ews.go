package soap

import (
	"context"
	"encoding/xml"
	"errors"
	"strconv"
	"strings"
)

// EWS operation names; each is also the last segment of its SOAPAction.
const (
	opGetPhoneCallInformation = "GetPhoneCallInformation"
	opDisconnectPhoneCall     = "DisconnectPhoneCall"
	opPlayOnPhone             = "PlayOnPhone"
)

// DialectEWS is Exchange Web Services, Exchange 2010 and later.
const DialectEWS = "ews"

// ewsDialect is EWS (protocol.md §2).
type ewsDialect struct{}

func (ewsDialect) Name() string         { return DialectEWS }
func (ewsDialect) Title() string        { return "EWS (Exchange 2010 and later)" }
func (ewsDialect) EndpointPath() string { return "/EWS/Exchange.asmx" }
func (ewsDialect) Operations() (lookup, disconnect string) {
	return opGetPhoneCallInformation, opDisconnectPhoneCall
}

// ServerVersions are the RequestServerVersion values of the schema
// versions that have the phone-call operations, the default first.
func (ewsDialect) ServerVersions() []string {
	return []string{
		DefaultServerVersion,
		"Exchange2007", "Exchange2007_SP1", "Exchange2010_SP1", "Exchange2010_SP2",
		"Exchange2013", "Exchange2013_SP1", "Exchange2015", "Exchange2016",
	}
}

// Codes: protocol.md §2.6, §2.7 and §5.
func (ewsDialect) Codes() FaultCodes {
	return FaultCodes{
		NotFound:   []string{"ErrorInvalidPhoneCallId"},
		Overloaded: []string{"ErrorServerBusy", "ErrorExceededConnectionCount"},
		Transient:  []string{"ErrorInternalServerTransientError"},
	}
}

func (ewsDialect) lookupRequest(version, callID string) ([]byte, error) {
	if err := checkXMLText("call id", callID); err != nil {
		return nil, err
	}
	return ewsEnvelope(version, &getPhoneCallInformationRequest{PhoneCallID: phoneCallIDXML{ID: callID}})
}

func (ewsDialect) disconnectRequest(version, callID string) ([]byte, error) {
	if err := checkXMLText("call id", callID); err != nil {
		return nil, err
	}
	return ewsEnvelope(version, &disconnectPhoneCallRequest{PhoneCallID: phoneCallIDXML{ID: callID}})
}

func (ewsDialect) parseLookup(a *answer) (CallInfo, error) { return parseGetPhoneCallInformation(a) }
func (ewsDialect) parseDisconnect(a *answer) error         { return parseDisconnectPhoneCall(a) }
func (ewsDialect) caller(c *client) Caller                 { return &EWSClient{c} }

// EWSClient speaks the Exchange 2010+ EWS phone-call operations
// (protocol.md §2). It is safe for concurrent use.
type EWSClient struct{ *client }

var _ Caller = (*EWSClient)(nil)

// NewEWS returns an EWS client for opts (opts.Dialect is not consulted).
func NewEWS(opts Options) (*EWSClient, error) {
	c, err := newClient(ewsDialect{}, opts)
	if err != nil {
		return nil, err
	}
	return &EWSClient{c}, nil
}

// PlayOnPhone asks the server to dial dial and play the item itemID (an
// EWS item id), and returns the new call's id.
func (c *EWSClient) PlayOnPhone(ctx context.Context, itemID, dial string) (string, error) {
	payload, err := c.playOnPhone(itemID, dial)
	return roundTrip(ctx, c.ep, opPlayOnPhone, payload, err, parsePlayOnPhone)
}

// Request building. Each builder returns the complete envelope.

type phoneCallIDXML struct {
	ID string `xml:"Id,attr"`
}

type getPhoneCallInformationRequest struct {
	XMLName     xml.Name       `xml:"http://schemas.microsoft.com/exchange/services/2006/messages GetPhoneCallInformation"`
	PhoneCallID phoneCallIDXML `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PhoneCallId"`
}

type disconnectPhoneCallRequest struct {
	XMLName     xml.Name       `xml:"http://schemas.microsoft.com/exchange/services/2006/messages DisconnectPhoneCall"`
	PhoneCallID phoneCallIDXML `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PhoneCallId"`
}

type playOnPhoneRequest struct {
	XMLName    xml.Name       `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PlayOnPhone"`
	ItemID     phoneCallIDXML `xml:"http://schemas.microsoft.com/exchange/services/2006/messages ItemId"`
	DialString string         `xml:"http://schemas.microsoft.com/exchange/services/2006/messages DialString"`
}

func ewsEnvelope(version string, content any) ([]byte, error) {
	return marshalEnvelope(&requestEnvelope{
		Header: &requestHeader{Version: requestServerVersion{Version: version}},
		Body:   requestBody{Content: content},
	})
}

func (c *EWSClient) getPhoneCallInformation(callID string) ([]byte, error) {
	return ewsDialect{}.lookupRequest(c.version, callID)
}

func (c *EWSClient) disconnectPhoneCall(callID string) ([]byte, error) {
	return ewsDialect{}.disconnectRequest(c.version, callID)
}

func (c *EWSClient) playOnPhone(itemID, dial string) ([]byte, error) {
	if err := checkXMLText("item id", itemID); err != nil {
		return nil, err
	}
	if err := checkXMLText("dial string", dial); err != nil {
		return nil, err
	}
	return ewsEnvelope(c.version, &playOnPhoneRequest{ItemID: phoneCallIDXML{ID: itemID}, DialString: dial})
}

// Response parsing.

// ewsResponse is the part every EWS response message shares
// (messages.xsd ResponseMessageType); it sits directly in the Body.
type ewsResponse struct {
	Class        string     `xml:"ResponseClass,attr"`
	MessageText  string     `xml:"http://schemas.microsoft.com/exchange/services/2006/messages MessageText"`
	ResponseCode string     `xml:"http://schemas.microsoft.com/exchange/services/2006/messages ResponseCode"`
	MessageXML   messageXML `xml:"http://schemas.microsoft.com/exchange/services/2006/messages MessageXml"`
}

// err returns a *ResponseError unless the server reported success, and
// an *HTTPError for "success" with a non-2xx status. Warning counts as
// success: the operation was carried out.
func (r *ewsResponse) err(op string, a *answer) error {
	code := strings.TrimSpace(r.ResponseCode)
	switch r.Class {
	case "Success", "Warning":
		return successStatus(op, a)
	case "":
		if code == "" || code == "NoError" {
			return successStatus(op, a)
		}
	}
	if code == "" {
		code = "ResponseClass " + r.Class
	}
	return &ResponseError{
		Operation:   op,
		Class:       r.Class,
		Code:        code,
		MessageText: r.MessageText,
		BackOff:     r.MessageXML.backOff(),
	}
}

type getPhoneCallInformationResponse struct {
	ewsResponse
	Info *phoneCallInformationXML `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PhoneCallInformation"`
}

// phoneCallInformationXML matches its children by local name, as the
// Managed API and ews-java-api do (protocol.md §2.2).
type phoneCallInformationXML struct {
	State           *string `xml:"PhoneCallState"`
	Cause           string  `xml:"ConnectionFailureCause"`
	SIPResponseText string  `xml:"SIPResponseText"`
	SIPResponseCode string  `xml:"SIPResponseCode"`
}

type disconnectPhoneCallResponse struct {
	ewsResponse
}

type playOnPhoneResponse struct {
	ewsResponse
	PhoneCallID *phoneCallIDXML `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PhoneCallId"`
}

func responseName(op string) xml.Name {
	return xml.Name{Space: NamespaceMessages, Local: op + "Response"}
}

func parseGetPhoneCallInformation(a *answer) (CallInfo, error) {
	const op = opGetPhoneCallInformation
	var r getPhoneCallInformationResponse
	if err := decodeAnswer(op, a, responseName(op), &r); err != nil {
		return CallInfo{}, err
	}
	if err := r.err(op, a); err != nil {
		return CallInfo{}, err
	}
	if r.Info == nil || r.Info.State == nil {
		return CallInfo{}, &MalformedError{Operation: op, StatusCode: a.StatusCode,
			Err: errors.New("success without PhoneCallInformation/PhoneCallState")}
	}
	info := CallInfo{
		State:           strings.TrimSpace(*r.Info.State),
		Cause:           strings.TrimSpace(r.Info.Cause),
		SIPResponseText: r.Info.SIPResponseText,
	}
	// SIPResponseCode is cosmetic; a value that is not an integer is
	// dropped rather than failing the lookup of the call's state.
	if n, err := strconv.Atoi(strings.TrimSpace(r.Info.SIPResponseCode)); err == nil {
		info.SIPResponseCode = n
	}
	return info, nil
}

func parseDisconnectPhoneCall(a *answer) error {
	const op = opDisconnectPhoneCall
	var r disconnectPhoneCallResponse
	if err := decodeAnswer(op, a, responseName(op), &r); err != nil {
		return err
	}
	return r.err(op, a)
}

func parsePlayOnPhone(a *answer) (string, error) {
	const op = opPlayOnPhone
	var r playOnPhoneResponse
	if err := decodeAnswer(op, a, responseName(op), &r); err != nil {
		return "", err
	}
	if err := r.err(op, a); err != nil {
		return "", err
	}
	if r.PhoneCallID == nil || r.PhoneCallID.ID == "" {
		return "", &MalformedError{Operation: op, StatusCode: a.StatusCode,
			Err: errors.New("success without a PhoneCallId")}
	}
	return r.PhoneCallID.ID, nil
}
