package soap

import "encoding/xml"

// Single-pass readers (envelope_fast.go) of the answers a plan or an apply
// reads thousands of times: each fills its type exactly as encoding/xml
// fills it from the struct tags, and leaves anything unusual to the exact
// path. PlayOnPhone answers and faults always take the exact path.

var (
	_ fastReadable = (*getPhoneCallInformationResponse)(nil)
	_ fastReadable = (*disconnectPhoneCallResponse)(nil)
	_ fastReadable = (*umGetCallInfoResponse)(nil)
	_ fastReadable = (*umDisconnectResponse)(nil)
)

// readChild reads one child of an EWS response message into the shared
// fields; handled is false for a child that is not one of them.
func (x *ewsResponse) readChild(r *tokenReader, c *xml.StartElement) (handled, ok bool) {
	if c.Name.Space != NamespaceMessages {
		return false, true
	}
	switch c.Name.Local {
	case "MessageText":
		x.MessageText, ok = r.text()
		return true, ok
	case "ResponseCode":
		x.ResponseCode, ok = r.text()
		return true, ok
	case "MessageXml":
		// A back-off bag comes with errors, which are rare: the exact
		// path reads it.
		return true, false
	}
	return false, true
}

// readEWSResponse reads an EWS response message whose only extra child
// is read by extra (nil: none).
func readEWSResponse(r *tokenReader, start *xml.StartElement, x *ewsResponse, extra func(*xml.StartElement) (handled, ok bool)) bool {
	responseClass(start, &x.Class)
	for {
		c, end, ok := r.child()
		if !ok {
			return false
		}
		if end {
			return true
		}
		handled, ok := x.readChild(r, &c)
		if !handled && extra != nil {
			handled, ok = extra(&c)
		}
		if !handled {
			ok = r.skip()
		}
		if !ok {
			return false
		}
	}
}

func (x *getPhoneCallInformationResponse) readFast(r *tokenReader, start *xml.StartElement) bool {
	return readEWSResponse(r, start, &x.ewsResponse, func(c *xml.StartElement) (bool, bool) {
		if c.Name.Space != NamespaceMessages || c.Name.Local != "PhoneCallInformation" {
			return false, true
		}
		// A repeated element is read into the same struct, as
		// encoding/xml does.
		if x.Info == nil {
			x.Info = new(phoneCallInformationXML)
		}
		return true, x.Info.readFast(r)
	})
}

func (x *getPhoneCallInformationResponse) reset() { *x = getPhoneCallInformationResponse{} }

// readFast matches the children by local name in any namespace, as the
// struct tags do.
func (x *phoneCallInformationXML) readFast(r *tokenReader) bool {
	for {
		c, end, ok := r.child()
		if !ok {
			return false
		}
		if end {
			return true
		}
		switch c.Name.Local {
		case "PhoneCallState":
			var s string
			s, ok = r.text()
			if x.State == nil {
				x.State = new(string)
			}
			*x.State = s
		case "ConnectionFailureCause":
			x.Cause, ok = r.text()
		case "SIPResponseText":
			x.SIPResponseText, ok = r.text()
		case "SIPResponseCode":
			x.SIPResponseCode, ok = r.text()
		default:
			ok = r.skip()
		}
		if !ok {
			return false
		}
	}
}

func (x *disconnectPhoneCallResponse) readFast(r *tokenReader, start *xml.StartElement) bool {
	return readEWSResponse(r, start, &x.ewsResponse, nil)
}

func (x *disconnectPhoneCallResponse) reset() { *x = disconnectPhoneCallResponse{} }

func (x *umGetCallInfoResponse) readFast(r *tokenReader, _ *xml.StartElement) bool {
	for {
		c, end, ok := r.child()
		if !ok {
			return false
		}
		if end {
			return true
		}
		if c.Name.Space != NamespaceMessages || c.Name.Local != opGetCallInfo+umResponseSuffix {
			if !r.skip() {
				return false
			}
			continue
		}
		if x.Result == nil {
			x.Result = &umCallInfoResult{}
		}
		if !x.Result.readFast(r) {
			return false
		}
	}
}

func (x *umGetCallInfoResponse) reset() { *x = umGetCallInfoResponse{} }

func (x *umCallInfoResult) readFast(r *tokenReader) bool {
	for {
		c, end, ok := r.child()
		if !ok {
			return false
		}
		if end {
			return true
		}
		var dst **string
		if c.Name.Space == NamespaceMessages {
			switch c.Name.Local {
			case "CallState":
				dst = &x.CallState
			case "EventCause":
				dst = &x.EventCause
			}
		}
		if dst == nil {
			if !r.skip() {
				return false
			}
			continue
		}
		s, ok := r.text()
		if !ok {
			return false
		}
		if *dst == nil {
			*dst = new(string)
		}
		**dst = s
	}
}

func (x *umDisconnectResponse) readFast(r *tokenReader, _ *xml.StartElement) bool { return r.skip() }

func (x *umDisconnectResponse) reset() {}
