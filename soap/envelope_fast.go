package soap

import (
	"bytes"
	"encoding/xml"
)

// The single-pass reader. decodeEnvelopeStd (envelope.go) is exact but
// costly: it runs every token through two xml.Decoders (the guarded raw
// one and the namespace-resolving one over it), copies each token twice,
// and fills the response through reflection. Parsing answers was the
// larger part of a lookup's CPU. The reader here walks the raw tokens of
// one encoding/xml Decoder once, resolves namespaces itself, and keeps
// only the elements a response type asks for.
//
// It is a fast path, not a second parser: the tokens still come from
// encoding/xml's RawToken, and anything the reader does not handle in the
// common way (a fault, a DOCTYPE or other directive, nesting past
// MaxDepth, a mismatched end tag, truncation, a response type without a
// reader, an EWS MessageXml bag) makes it give up, and the answer is
// parsed again by decodeEnvelopeStd, which decides and words the outcome.
// FuzzFastDecodeMatchesStd holds the two to the same results.

// fastReadable is a response element the single-pass reader can fill.
// readFast reads the element whose start tag is start, up to and including
// its end tag, and reports false to hand the answer to the exact path;
// reset undoes a partial read.
type fastReadable interface {
	readFast(r *tokenReader, start *xml.StartElement) bool
	reset()
}

var nameBody = xml.Name{Space: NamespaceSOAP, Local: "Body"}

// decodeEnvelopeFast fills body from data as decodeEnvelopeStd would, and
// reports whether it could; on false body is untouched and the answer
// must go through decodeEnvelopeStd.
func decodeEnvelopeFast(data []byte, body *responseBody) bool {
	content, ok := body.Content.(fastReadable)
	if !ok {
		return false
	}
	r := tokenReader{d: xml.NewDecoder(bytes.NewReader(data))}
	r.open = r.openBuf[:0]
	r.ns = r.nsBuf[:0]
	var root xml.StartElement
	for {
		tok, ok := r.next()
		if !ok {
			return false
		}
		if t, isStart := tok.(xml.StartElement); isStart {
			root = t
			break
		}
	}
	if root.Name != nameEnvelope {
		return false
	}
	b := *body
	sawBody := false
	for {
		start, end, ok := r.child()
		switch {
		case !ok:
			content.reset()
			return false
		case end:
			// The envelope is closed; what follows it is not read, as
			// decodeEnvelopeStd does not read it.
			*body = b
			return true
		case start.Name == nameBody && !sawBody:
			sawBody = true
			if !readBodyFast(&r, &b, content) {
				content.reset()
				return false
			}
		case start.Name == nameBody:
			content.reset()
			return false // a second Body: rare enough for the exact path
		default:
			if !r.skip() {
				content.reset()
				return false
			}
		}
	}
}

// readBodyFast reads the Body's children: the wanted element into content,
// others skipped. A fault goes to the exact path.
func readBodyFast(r *tokenReader, b *responseBody, content fastReadable) bool {
	for {
		start, end, ok := r.child()
		switch {
		case !ok:
			return false
		case end:
			return true
		case start.Name == nameFault:
			return false
		case start.Name == b.Want && !b.Found:
			if !content.readFast(r, &start) {
				return false
			}
			b.Found = true
		default:
			if !r.skip() {
				return false
			}
		}
	}
}

// tokenReader hands out one decoder's raw tokens with element names
// resolved to namespace URIs, as xml.Decoder.Token does, and with this
// package's guards: no directives, nesting at most MaxDepth, end tags
// matching their start tags, https:// namespace renderings read as the
// real URIs. Its methods report false wherever the exact path must decide.
type tokenReader struct {
	d    *xml.Decoder
	open []xml.Name  // raw names of the open elements, outermost first
	ns   []nsBinding // declarations in scope, innermost last
	// Room for a normal answer's elements and declarations, so that the
	// stacks need no allocation of their own.
	openBuf [16]xml.Name
	nsBuf   [16]nsBinding
}

// nsBinding is one namespace declaration: prefix ("" for xmlns=) to URI,
// made by the element at depth.
type nsBinding struct {
	prefix, uri string
	depth       int
}

// next returns the next token, start element names resolved (end
// elements keep their raw names: nothing reads them).
func (r *tokenReader) next() (xml.Token, bool) {
	tok, err := r.d.RawToken()
	if err != nil {
		return nil, false
	}
	switch t := tok.(type) {
	case xml.StartElement:
		if len(r.open) >= MaxDepth {
			return nil, false
		}
		r.open = append(r.open, t.Name)
		depth := len(r.open)
		for _, a := range t.Attr {
			switch {
			case a.Name.Space == "xmlns":
				r.ns = append(r.ns, nsBinding{prefix: a.Name.Local, uri: canonicalNamespace(a.Value), depth: depth})
			case a.Name.Space == "" && a.Name.Local == "xmlns":
				r.ns = append(r.ns, nsBinding{prefix: "", uri: canonicalNamespace(a.Value), depth: depth})
			}
		}
		t.Name.Space = r.resolve(t.Name)
		return t, true
	case xml.EndElement:
		n := len(r.open)
		if n == 0 || r.open[n-1] != t.Name {
			return nil, false
		}
		for len(r.ns) > 0 && r.ns[len(r.ns)-1].depth == n {
			r.ns = r.ns[:len(r.ns)-1]
		}
		r.open = r.open[:n-1]
		return t, true
	case xml.Directive:
		return nil, false
	}
	return tok, true
}

// resolve is the namespace URI of an element name, as
// xml.Decoder.Token's translation gives it: an undeclared prefix stays
// as it is, an unprefixed name without a default namespace has none.
func (r *tokenReader) resolve(n xml.Name) string {
	switch {
	case n.Space == "xmlns":
		return n.Space
	case n.Space == "xml":
		return "http://www.w3.org/XML/1998/namespace"
	case n.Space == "" && n.Local == "xmlns":
		return ""
	}
	for i := len(r.ns) - 1; i >= 0; i-- {
		if r.ns[i].prefix == n.Space {
			return r.ns[i].uri
		}
	}
	return n.Space
}

// canonicalNamespace reads an https:// rendering of a namespace as the
// real URI, as guardedReader does.
func canonicalNamespace(uri string) string {
	if len(uri) > 8 && uri[:8] == "https://" {
		if real, ok := httpsRenderings[uri]; ok {
			return real
		}
	}
	return uri
}

// child returns the next child element of the element being read, or
// end at that element's end tag. Text, comments and processing
// instructions between children are passed over.
func (r *tokenReader) child() (start xml.StartElement, end, ok bool) {
	for {
		tok, ok := r.next()
		if !ok {
			return start, false, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, false, true
		case xml.EndElement:
			return start, true, true
		}
	}
}

// skip reads past the end of the element just started.
func (r *tokenReader) skip() bool {
	depth := len(r.open)
	for len(r.open) >= depth {
		if _, ok := r.next(); !ok {
			return false
		}
	}
	return true
}

// text reads the element just started to its end and returns its
// character data, as encoding/xml gives a string field: the text directly
// inside it, child elements and their text left out.
func (r *tokenReader) text() (string, bool) {
	var (
		s     string // the common case: one piece of text
		more  []byte // the pieces joined, when there are several
		parts int
	)
	for {
		tok, ok := r.next()
		if !ok {
			return "", false
		}
		switch t := tok.(type) {
		case xml.CharData:
			// t points into the decoder's buffer, which the next token
			// reuses: it is copied now.
			switch parts {
			case 0:
				s = string(t)
			case 1:
				more = append([]byte(s), t...)
			default:
				more = append(more, t...)
			}
			parts++
		case xml.StartElement:
			if !r.skip() {
				return "", false
			}
		case xml.EndElement:
			if parts > 1 {
				return string(more), true
			}
			return s, true
		}
	}
}

// responseClass reads the ResponseClass attribute as encoding/xml fills
// an untagged-namespace attribute field: any namespace, the last one wins,
// a namespace declaration's value read as guardedReader rewrites it.
func responseClass(start *xml.StartElement, class *string) {
	for _, a := range start.Attr {
		if a.Name.Local != "ResponseClass" {
			continue
		}
		if a.Name.Space == "xmlns" {
			*class = canonicalNamespace(a.Value)
			continue
		}
		*class = a.Value
	}
}
