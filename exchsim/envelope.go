package exchsim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Namespaces as real clients and servers write them (protocol.md §1).
const (
	nsSOAP     = "http://schemas.xmlsoap.org/soap/envelope/"
	nsMessages = "http://schemas.microsoft.com/exchange/services/2006/messages"
	nsTypes    = "http://schemas.microsoft.com/exchange/services/2006/types"
	nsErrors   = "http://schemas.microsoft.com/exchange/services/2006/errors"
)

// httpsRenderings maps the https:// spellings that old documentation pages
// print (and that seed examples use) to the real namespaces, so requests
// copied from those pages are understood.
var httpsRenderings = map[string]string{
	"https://schemas.xmlsoap.org/soap/envelope/":                    nsSOAP,
	"https://schemas.microsoft.com/exchange/services/2006/messages": nsMessages,
	"https://schemas.microsoft.com/exchange/services/2006/types":    nsTypes,
	"https://schemas.microsoft.com/exchange/services/2006/errors":   nsErrors,
}

// node is a generic element tree for requests. Requests are matched by
// namespace URI and local name, never by prefix.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []node     `xml:",any"`
}

func (n *node) normalize() {
	if ns, ok := httpsRenderings[n.XMLName.Space]; ok {
		n.XMLName.Space = ns
	}
	for i := range n.Children {
		n.Children[i].normalize()
	}
}

func (n *node) is(space, local string) bool {
	return n.XMLName.Space == space && n.XMLName.Local == local
}

// child returns the first child element with this name, or nil.
func (n *node) child(space, local string) *node {
	for i := range n.Children {
		if n.Children[i].is(space, local) {
			return &n.Children[i]
		}
	}
	return nil
}

// attr returns an unqualified attribute's value.
func (n *node) attr(local string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// errBadEnvelope marks requests that are not well-formed SOAP 1.1.
var errBadEnvelope = errors.New("not a SOAP 1.1 envelope")

// parseEnvelope returns the first child element of the SOAP Body: the
// operation. Both dialects dispatch on it, never on SOAPAction.
func parseEnvelope(body []byte) (*node, error) {
	var env node
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadEnvelope, err)
	}
	env.normalize()
	if !env.is(nsSOAP, "Envelope") {
		return nil, fmt.Errorf("%w: root element is {%s}%s", errBadEnvelope, env.XMLName.Space, env.XMLName.Local)
	}
	b := env.child(nsSOAP, "Body")
	if b == nil {
		return nil, fmt.Errorf("%w: no soap:Body", errBadEnvelope)
	}
	if len(b.Children) == 0 {
		return nil, fmt.Errorf("%w: empty soap:Body", errBadEnvelope)
	}
	return &b.Children[0], nil
}

// serverVersionInfo is the EWS response header; Exchange 2010 SP2 is
// 14.2.247.5.
type serverVersionInfo struct {
	XMLName          xml.Name `xml:"http://schemas.microsoft.com/exchange/services/2006/types ServerVersionInfo"`
	MajorVersion     int      `xml:",attr"`
	MinorVersion     int      `xml:",attr"`
	MajorBuildNumber int      `xml:",attr"`
	MinorBuildNumber int      `xml:",attr"`
	Version          string   `xml:",attr"`
}

var ewsServerVersion = serverVersionInfo{MajorVersion: 14, MinorVersion: 2, MajorBuildNumber: 247, MinorBuildNumber: 5, Version: "Exchange2010_SP2"}

// name returns an element name written with a fixed prefix. The envelope
// uses prefixes (s:) rather than a default namespace because SOAP fault
// children (faultcode, ...) must stay unqualified, which a default
// namespace on s:Fault would break. Only constants are ever passed here.
func name(qname string) xml.Name { return xml.Name{Local: qname} }

// marshalEnvelope renders an envelope: XML declaration, s:Header with
// header when it is not nil (EWS; the 2007 service sends none), and s:Body
// with body. Payload structs use namespace-URI tags, so every value is
// escaped by encoding/xml.
func marshalEnvelope(header, body any) ([]byte, error) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	env := xml.StartElement{Name: name("s:Envelope"), Attr: []xml.Attr{{Name: name("xmlns:s"), Value: nsSOAP}}}
	tokens := []xml.Token{xml.ProcInst{Target: "xml", Inst: []byte(`version="1.0" encoding="utf-8"`)}, env}
	for _, t := range tokens {
		if err := enc.EncodeToken(t); err != nil {
			return nil, err
		}
	}
	if header != nil {
		if err := encodeWrapped(enc, "s:Header", header); err != nil {
			return nil, err
		}
	}
	if err := encodeWrapped(enc, "s:Body", body); err != nil {
		return nil, err
	}
	if err := enc.EncodeToken(env.End()); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeWrapped(enc *xml.Encoder, qname string, v any) error {
	start := xml.StartElement{Name: name(qname)}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.EncodeToken(start.End())
}

// writeSOAP sends a rendered envelope. Responses are rendered fully before
// the status line goes out, so a marshalling bug yields a clean 500.
func writeSOAP(w http.ResponseWriter, status int, header, body any) {
	b, err := marshalEnvelope(header, body)
	if err != nil {
		http.Error(w, "exchsim: rendering response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b) // an error means the client went away
}

// soapFault is s:Fault with unqualified faultcode, faultstring and detail.
// Code is a QName "a:Name" whose prefix is declared on faultcode as CodeNS.
type soapFault struct {
	Code   string
	CodeNS string
	String string
	Detail any // rendered as <detail>; nil for none
}

type faultCode struct {
	NS    string `xml:"xmlns:a,attr"`
	Value string `xml:",chardata"`
}

type faultString struct {
	Lang  string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Value string `xml:",chardata"`
}

func (f soapFault) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: name("s:Fault")}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeElement(faultCode{NS: f.CodeNS, Value: f.Code}, xml.StartElement{Name: name("faultcode")}); err != nil {
		return err
	}
	if err := e.EncodeElement(faultString{Lang: "en-US", Value: f.String}, xml.StartElement{Name: name("faultstring")}); err != nil {
		return err
	}
	if f.Detail != nil {
		if err := e.EncodeElement(f.Detail, xml.StartElement{Name: name("detail")}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// value is t:Value Name="..." inside a MessageXml.
type value struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:",chardata"`
}
