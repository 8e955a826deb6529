package exchsim

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// EWS response codes and texts the simulator sends (protocol.md §2.6).
const (
	msgInvalidPhoneCallID = "The phone call ID isn't valid."
	msgServerBusy         = "The server cannot service this request right now. Try again later."
	msgConnectionCount    = "You have exceeded the available concurrent connections for your account.  Try again once your other requests have completed."
)

// ewsResponse holds the fields every EWS response element starts with, in
// schema order (messages.xsd ResponseMessageType).
type ewsResponse struct {
	ResponseClass      string         `xml:"ResponseClass,attr"`
	MessageText        string         `xml:"http://schemas.microsoft.com/exchange/services/2006/messages MessageText,omitempty"`
	ResponseCode       string         `xml:"http://schemas.microsoft.com/exchange/services/2006/messages ResponseCode"`
	DescriptiveLinkKey *int           `xml:"http://schemas.microsoft.com/exchange/services/2006/messages DescriptiveLinkKey"`
	MessageXML         *ewsMessageXML `xml:"http://schemas.microsoft.com/exchange/services/2006/messages MessageXml"`
}

type ewsMessageXML struct {
	Values []value `xml:"http://schemas.microsoft.com/exchange/services/2006/types Value"`
}

var successResponse = ewsResponse{ResponseClass: "Success", ResponseCode: "NoError"}

// ewsError is an in-body error (HTTP 200, ResponseClass="Error"):
// MessageText, ResponseCode, DescriptiveLinkKey 0, in the order MAPI reads.
func ewsError(code, text string, details ...value) ewsResponse {
	zero := 0
	r := ewsResponse{ResponseClass: "Error", MessageText: text, ResponseCode: code, DescriptiveLinkKey: &zero}
	if len(details) > 0 {
		r.MessageXML = &ewsMessageXML{Values: details}
	}
	return r
}

type phoneCallID struct {
	ID string `xml:"Id,attr"`
}

type playOnPhoneResponse struct {
	XMLName xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PlayOnPhoneResponse"`
	ewsResponse
	PhoneCallID *phoneCallID `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PhoneCallId"`
}

type phoneCallInformation struct {
	State           string `xml:"http://schemas.microsoft.com/exchange/services/2006/types PhoneCallState"`
	Cause           string `xml:"http://schemas.microsoft.com/exchange/services/2006/types ConnectionFailureCause"`
	SIPResponseText string `xml:"http://schemas.microsoft.com/exchange/services/2006/types SIPResponseText,omitempty"`
	SIPResponseCode int    `xml:"http://schemas.microsoft.com/exchange/services/2006/types SIPResponseCode,omitempty"`
}

type getPhoneCallInformationResponse struct {
	XMLName xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/messages GetPhoneCallInformationResponse"`
	ewsResponse
	Info *phoneCallInformation `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PhoneCallInformation"`
}

type disconnectPhoneCallResponse struct {
	XMLName xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/messages DisconnectPhoneCallResponse"`
	ewsResponse
}

// ewsFaultDetail is the detail of an EWS SOAP fault (protocol.md §2.7).
type ewsFaultDetail struct {
	ResponseCode string              `xml:"http://schemas.microsoft.com/exchange/services/2006/errors ResponseCode"`
	Message      string              `xml:"http://schemas.microsoft.com/exchange/services/2006/errors Message"`
	MessageXML   *ewsFaultMessageXML `xml:"http://schemas.microsoft.com/exchange/services/2006/types MessageXml"`
}

type ewsFaultMessageXML struct {
	Values    []value `xml:"http://schemas.microsoft.com/exchange/services/2006/types Value"`
	Violation string  `xml:"http://schemas.microsoft.com/exchange/services/2006/types Violation,omitempty"`
}

// sipResponses are the SIP status a Disconnected call with a cause
// reports. Real servers send the UM server's SIP response; these values
// are plausible stand-ins.
var sipResponses = map[string]struct {
	text string
	code int
}{
	"UserBusy":    {"Busy Here", 486},
	"NoAnswer":    {"Request Timeout", 408},
	"Unavailable": {"Temporarily Unavailable", 480},
	"Other":       {"Server Internal Error", 500},
}

// ewsDialect serves /EWS/Exchange.asmx.
type ewsDialect struct{ s *Server }

var ewsOperations = []string{"PlayOnPhone", "GetPhoneCallInformation", "DisconnectPhoneCall"}

func (ewsDialect) operation(op *node) string { return knownOperation(op, ewsOperations) }

func knownOperation(op *node, known []string) string {
	if op == nil || op.XMLName.Space != nsMessages {
		return ""
	}
	for _, k := range known {
		if op.XMLName.Local == k {
			return k
		}
	}
	return ""
}

func (d ewsDialect) serve(w http.ResponseWriter, op *node, parseErr error) {
	if parseErr != nil {
		writeEWSFault(w, "ErrorSchemaValidation", "The request failed schema validation.", parseErr.Error(), nil)
		return
	}
	switch d.operation(op) {
	case "PlayOnPhone":
		d.playOnPhone(w, op)
	case "GetPhoneCallInformation":
		d.getPhoneCallInformation(w, op)
	case "DisconnectPhoneCall":
		d.disconnectPhoneCall(w, op)
	default:
		writeEWSFault(w, "ErrorInvalidRequest", "The request is invalid.", "", nil)
	}
}

// requiredPhoneCallID returns m:PhoneCallId/@Id, or writes the schema
// validation fault a real server sends when it is missing (note: a
// t:PhoneCallId, in the wrong namespace, does not count).
func requiredPhoneCallID(w http.ResponseWriter, op *node) (string, bool) {
	el := op.child(nsMessages, "PhoneCallId")
	if el == nil {
		writeEWSFault(w, "ErrorSchemaValidation", "The request failed schema validation.",
			"The element '"+op.XMLName.Local+"' is missing required child element 'PhoneCallId' in namespace '"+nsMessages+"'.", nil)
		return "", false
	}
	id, ok := el.attr("Id")
	if !ok {
		writeEWSFault(w, "ErrorSchemaValidation", "The request failed schema validation.",
			"The required attribute 'Id' is missing.", nil)
		return "", false
	}
	return id, true
}

func (d ewsDialect) playOnPhone(w http.ResponseWriter, op *node) {
	item, dial := op.child(nsMessages, "ItemId"), op.child(nsMessages, "DialString")
	var itemID string
	if item != nil {
		itemID, _ = item.attr("Id")
	}
	if itemID == "" || dial == nil {
		writeEWSFault(w, "ErrorSchemaValidation", "The request failed schema validation.",
			"PlayOnPhone needs m:ItemId with an Id and m:DialString.", nil)
		return
	}
	if strings.TrimSpace(dial.Text) == "" {
		writeEWS(w, playOnPhoneResponse{ewsResponse: ewsError("ErrorInvalidPhoneNumber", "The phone number isn't valid.")})
		return
	}
	id := d.s.placeCall()
	writeEWS(w, playOnPhoneResponse{ewsResponse: successResponse, PhoneCallID: &phoneCallID{ID: id}})
}

func (d ewsDialect) getPhoneCallInformation(w http.ResponseWriter, op *node) {
	id, ok := requiredPhoneCallID(w, op)
	if !ok {
		return
	}
	c, ok := d.s.lookupCall(id)
	if !ok {
		writeEWS(w, getPhoneCallInformationResponse{ewsResponse: ewsError("ErrorInvalidPhoneCallId", msgInvalidPhoneCallID)})
		return
	}
	state, cause := d.s.Faults.reported(c)
	info := &phoneCallInformation{State: state, Cause: cause}
	// Real servers add the SIP fields only when there is a cause.
	if sip, ok := sipResponses[c.Cause]; ok {
		info.SIPResponseText, info.SIPResponseCode = sip.text, sip.code
	}
	writeEWS(w, getPhoneCallInformationResponse{ewsResponse: successResponse, Info: info})
}

func (d ewsDialect) disconnectPhoneCall(w http.ResponseWriter, op *node) {
	id, ok := requiredPhoneCallID(w, op)
	if !ok {
		return
	}
	if !d.s.disconnectCall(id) {
		writeEWS(w, disconnectPhoneCallResponse{ewsResponse: ewsError("ErrorInvalidPhoneCallId", msgInvalidPhoneCallID)})
		return
	}
	writeEWS(w, disconnectPhoneCallResponse{ewsResponse: successResponse})
}

func (ewsDialect) serverBusy(w http.ResponseWriter, backOff time.Duration) {
	writeEWSFault(w, "ErrorServerBusy", msgServerBusy, "",
		[]value{{Name: "BackOffMilliseconds", Value: strconv.FormatInt(backOff.Milliseconds(), 10)}})
}

// connectionCount answers with ErrorExceededConnectionCount as an in-body
// error of the operation's own response element, as Exchange 2010+ does
// for RequestServerVersion >= Exchange2010 (protocol.md §5).
func (d ewsDialect) connectionCount(w http.ResponseWriter, op *node) {
	r := ewsError("ErrorExceededConnectionCount", msgConnectionCount,
		value{Name: "Policy", Value: "MaxConcurrency"},
		value{Name: "MaxConcurrencyLimit", Value: "10"},
		value{Name: "ErrorMessage", Value: "This operation exceeds the throttling budget for policy part 'MaxConcurrency', policy value '10'."})
	switch d.operation(op) {
	case "PlayOnPhone":
		writeEWS(w, playOnPhoneResponse{ewsResponse: r})
	case "GetPhoneCallInformation":
		writeEWS(w, getPhoneCallInformationResponse{ewsResponse: r})
	case "DisconnectPhoneCall":
		writeEWS(w, disconnectPhoneCallResponse{ewsResponse: r})
	default: // no response element to put it in
		writeEWSFault(w, "ErrorExceededConnectionCount", msgConnectionCount, "", nil)
	}
}

func writeEWS(w http.ResponseWriter, body any) {
	writeSOAP(w, http.StatusOK, ewsServerVersion, body)
}

// writeEWSFault sends an EWS SOAP fault (HTTP 500): faultcode a:<code>
// with a = types namespace, detail e:ResponseCode, e:Message and, when
// there is something to say, t:MessageXml.
func writeEWSFault(w http.ResponseWriter, code, message, violation string, values []value) {
	d := ewsFaultDetail{ResponseCode: code, Message: message}
	if violation != "" || len(values) > 0 {
		d.MessageXML = &ewsFaultMessageXML{Values: values, Violation: violation}
	}
	writeSOAP(w, http.StatusInternalServerError, ewsServerVersion, soapFault{
		Code: "a:" + code, CodeNS: nsTypes, String: message, Detail: d,
	})
}
