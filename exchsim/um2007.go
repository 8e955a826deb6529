package exchsim

import (
	"encoding/xml"
	"net/http"
	"strings"
	"time"
)

// Exchange 2007 UM web service shapes (protocol.md §3): elements in the
// messages namespace, no SOAP header, every error a SOAP fault.

type umCallInfo struct {
	CallState  string `xml:"http://schemas.microsoft.com/exchange/services/2006/messages CallState"`
	EventCause string `xml:"http://schemas.microsoft.com/exchange/services/2006/messages EventCause"`
}

// getCallInfoResponse has the doubled wrapper of ASMX document/literal:
// GetCallInfoResponse/GetCallInfoResponse/{CallState, EventCause}.
type getCallInfoResponse struct {
	XMLName xml.Name   `xml:"http://schemas.microsoft.com/exchange/services/2006/messages GetCallInfoResponse"`
	Result  umCallInfo `xml:"http://schemas.microsoft.com/exchange/services/2006/messages GetCallInfoResponse"`
}

type disconnectResponse struct {
	XMLName xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/messages DisconnectResponse"`
}

type umPlayOnPhoneResponse struct {
	XMLName xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PlayOnPhoneResponse"`
	CallID  string   `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PlayOnPhoneResponse"`
}

type umFaultDetail struct {
	ExceptionType string `xml:"http://schemas.microsoft.com/exchange/services/2006/messages ExceptionType"`
}

// umDialect serves /UnifiedMessaging/Service.asmx and /EWS/UM2007Legacy.asmx.
type umDialect struct{ s *Server }

var umOperations = []string{"PlayOnPhone", "GetCallInfo", "Disconnect"}

func (umDialect) operation(op *node) string { return knownOperation(op, umOperations) }

func (d umDialect) serve(w http.ResponseWriter, op *node, parseErr error) {
	if parseErr != nil {
		// What ASMX says about unreadable requests; faultcode soap:Client.
		writeUMFault(w, "a:Client", nsSOAP, "Server was unable to read request. "+parseErr.Error(), "")
		return
	}
	switch d.operation(op) {
	case "GetCallInfo":
		id, ok := umCallID(w, op)
		if !ok {
			return
		}
		c, ok := d.s.lookupCall(id)
		if !ok {
			writeInvalidCallID(w)
			return
		}
		state, cause := d.s.Faults.reported(c)
		writeUM(w, getCallInfoResponse{Result: umCallInfo{CallState: state, EventCause: cause}})
	case "Disconnect":
		id, ok := umCallID(w, op)
		if !ok {
			return
		}
		if !d.s.disconnectCall(id) {
			writeInvalidCallID(w)
			return
		}
		writeUM(w, disconnectResponse{})
	case "PlayOnPhone":
		entry, dial := op.child(nsMessages, "entryId"), op.child(nsMessages, "DialString")
		if entry == nil || strings.TrimSpace(entry.Text) == "" {
			writeUMFault(w, "a:InvalidObjectIdException", nsErrors, "The object identifier isn't valid.", "InvalidObjectIdException")
			return
		}
		if dial == nil || strings.TrimSpace(dial.Text) == "" {
			writeUMFault(w, "a:InvalidPhoneNumberException", nsErrors, "The phone number isn't valid.", "InvalidPhoneNumberException")
			return
		}
		writeUM(w, umPlayOnPhoneResponse{CallID: d.s.placeCall()})
	default:
		writeUMFault(w, "a:Client", nsSOAP, "Server did not recognize the request element {"+op.XMLName.Space+"}"+op.XMLName.Local+".", "")
	}
}

// umCallID returns the CallId text exactly as sent (ids are opaque and
// never trimmed), faulting when it is missing or empty.
func umCallID(w http.ResponseWriter, op *node) (string, bool) {
	el := op.child(nsMessages, "CallId")
	if el == nil || el.Text == "" {
		writeInvalidCallID(w)
		return "", false
	}
	return el.Text, true
}

func writeInvalidCallID(w http.ResponseWriter) {
	writeUMFault(w, "a:InvalidCallIdException", nsErrors, "The call identifier isn't valid.", "InvalidCallIdException")
}

// serverBusy has no documented 2007 shape; the simulator sends a fault
// named like the UM exceptions, without a back-off value.
func (umDialect) serverBusy(w http.ResponseWriter, _ time.Duration) {
	writeUMFault(w, "a:ServerBusyException", nsErrors, msgServerBusy, "ServerBusyException")
}

// connectionCount: the 2007 service has no in-body errors, so an exceeded
// connection budget looks like any other busy fault.
func (d umDialect) connectionCount(w http.ResponseWriter, _ *node) {
	d.serverBusy(w, 0)
}

func writeUM(w http.ResponseWriter, body any) {
	writeSOAP(w, http.StatusOK, nil, body)
}

func writeUMFault(w http.ResponseWriter, code, codeNS, message, exceptionType string) {
	f := soapFault{Code: code, CodeNS: codeNS, String: message}
	if exceptionType != "" {
		f.Detail = umFaultDetail{ExceptionType: exceptionType}
	}
	writeSOAP(w, http.StatusInternalServerError, nil, f)
}
