package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Namespace URIs as the schemas, the WSDL and every real client spell them.
const (
	NamespaceSOAP     = "http://schemas.xmlsoap.org/soap/envelope/"
	NamespaceMessages = "http://schemas.microsoft.com/exchange/services/2006/messages"
	NamespaceTypes    = "http://schemas.microsoft.com/exchange/services/2006/types"
	NamespaceErrors   = "http://schemas.microsoft.com/exchange/services/2006/errors"
)

// httpsRenderings maps the https:// spellings printed by older Microsoft
// documentation pages (protocol.md §1) to the real namespace URIs. Responses
// are read through this map so that a sample copied from such a page, or a
// server configured from one, still parses.
var httpsRenderings = map[string]string{
	"https://schemas.xmlsoap.org/soap/envelope/":                    NamespaceSOAP,
	"https://schemas.microsoft.com/exchange/services/2006/messages": NamespaceMessages,
	"https://schemas.microsoft.com/exchange/services/2006/types":    NamespaceTypes,
	"https://schemas.microsoft.com/exchange/services/2006/errors":   NamespaceErrors,
}

// MaxDepth bounds element nesting in a response. The deepest legitimate
// answer (an EWS fault's detail/MessageXml/Value) is six levels deep; the
// bound stops a hostile or broken server from making the decoder recurse.
const MaxDepth = 64

// Sentinels wrapped by *MalformedError when a response is refused before
// or while it is parsed.
var (
	ErrResponseTooLarge = fmt.Errorf("response body larger than the %d-byte cap (MaxResponseBytes)", MaxResponseBytes)
	ErrDoctype          = errors.New("response contains a DOCTYPE or entity declaration")
	ErrTooDeep          = fmt.Errorf("response nests elements deeper than %d levels", MaxDepth)
	errNotEnvelope      = errors.New("response root element is not a SOAP 1.1 Envelope")
	errNoRoot           = errors.New("response has no XML element")
)

var (
	nameEnvelope = xml.Name{Space: NamespaceSOAP, Local: "Envelope"}
	nameFault    = xml.Name{Space: NamespaceSOAP, Local: "Fault"}
)

// requestEnvelope is what both dialects send. Header is nil for UM 2007,
// which has no SOAP header.
type requestEnvelope struct {
	XMLName xml.Name       `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Header  *requestHeader `xml:"http://schemas.xmlsoap.org/soap/envelope/ Header"`
	Body    requestBody    `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

type requestHeader struct {
	Version requestServerVersion `xml:"http://schemas.microsoft.com/exchange/services/2006/types RequestServerVersion"`
}

type requestServerVersion struct {
	Version string `xml:"Version,attr"`
}

// requestBody holds one operation element; its type's XMLName names it.
type requestBody struct {
	Content any
}

// marshalEnvelope renders a request with its XML declaration.
func marshalEnvelope(env *requestEnvelope) ([]byte, error) {
	e := encoders.Get().(*pooledEncoder)
	e.buf.Reset()
	e.buf.WriteString(xml.Header)
	if err := e.enc.Encode(env); err != nil {
		// An encoder that failed half-way may hold open elements: it is
		// dropped, not reused.
		return nil, fmt.Errorf("encoding request: %w", err)
	}
	out := bytes.Clone(e.buf.Bytes())
	encoders.Put(e)
	return out, nil
}

// pooledEncoder is an xml.Encoder with the buffer it writes to. Each
// xml.Encoder allocates a 4 KiB write buffer, which at thousands of
// requests a second is most of the client's garbage, so encoders are
// reused.
type pooledEncoder struct {
	buf bytes.Buffer
	enc *xml.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := &pooledEncoder{}
	e.enc = xml.NewEncoder(&e.buf)
	return e
}}

// responseEnvelope is decoded from every answer.
type responseEnvelope struct {
	Body responseBody `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

// responseBody separates a SOAP fault from the operation's response
// element. Content must point at the struct for the expected element,
// which is matched by namespace URI and local name (Want).
type responseBody struct {
	Want    xml.Name
	Content any

	Fault *faultXML
	Found bool // the Want element was present and decoded into Content
}

// UnmarshalXML implements xml.Unmarshaler. Unknown elements are skipped so
// that a newer server's additions do not break an older client.
func (b *responseBody) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name == nameFault && b.Fault == nil:
				b.Fault = new(faultXML)
				if err := d.DecodeElement(b.Fault, &t); err != nil {
					return err
				}
			case t.Name == b.Want && !b.Found && b.Content != nil:
				if err := d.DecodeElement(b.Content, &t); err != nil {
					return err
				}
				b.Found = true
			default:
				if err := d.Skip(); err != nil {
					return err
				}
			}
		case xml.EndElement:
			return nil
		}
	}
}

// decodeEnvelope parses a whole response and fills body: through the
// single-pass reader when it can (envelope_fast.go), else through
// decodeEnvelopeStd, which gives the same results for any input.
func decodeEnvelope(data []byte, body *responseBody) error {
	if decodeEnvelopeFast(data, body) {
		return nil
	}
	return decodeEnvelopeStd(data, body)
}

// decodeEnvelopeStd parses a whole response through the guarded token
// reader and fills body. It fails on anything that is not a well-formed
// SOAP 1.1 envelope, including trailing garbage that leaves the envelope
// unclosed.
func decodeEnvelopeStd(data []byte, body *responseBody) error {
	d := newGuardedDecoder(data)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return errNoRoot
		}
		if err != nil {
			return err
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if start.Name != nameEnvelope {
			return errNotEnvelope
		}
		env := responseEnvelope{Body: *body}
		if err := d.DecodeElement(&env, &start); err != nil {
			return err
		}
		*body = env.Body
		return nil
	}
}

// guardedReader sits under an xml.Decoder and enforces this package's
// limits on the raw token stream: no directives (so no DOCTYPE, ENTITY or
// other DTD content ever reaches the parser), nesting at most MaxDepth, and
// https:// namespace renderings rewritten to the real URIs in the xmlns
// declarations, before the outer decoder resolves prefixes. Matching by
// URI rather than prefix then works unchanged for both spellings.
type guardedReader struct {
	raw   *xml.Decoder
	depth int
}

func newGuardedDecoder(data []byte) *xml.Decoder {
	raw := xml.NewDecoder(bytes.NewReader(data))
	return xml.NewTokenDecoder(&guardedReader{raw: raw})
}

// Token implements xml.TokenReader.
func (g *guardedReader) Token() (xml.Token, error) {
	tok, err := g.raw.RawToken()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.Directive:
		return nil, ErrDoctype
	case xml.StartElement:
		g.depth++
		if g.depth > MaxDepth {
			return nil, ErrTooDeep
		}
		t = t.Copy()
		for i, a := range t.Attr {
			if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
				if uri, ok := httpsRenderings[a.Value]; ok {
					t.Attr[i].Value = uri
				}
			}
		}
		return t, nil
	case xml.EndElement:
		g.depth--
	}
	return xml.CopyToken(tok), nil
}
