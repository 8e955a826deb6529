package inventory

import (
	"unicode/utf8"
	"unsafe"

	"github.com/zclconf/go-cty/cty"
)

// A 100,000-line export decoded through encoding/json into map[string]any
// and then into cty values costs about as much as all the rest of a
// standing policy's load, and mostly allocates garbage. Most exports
// are flat objects of strings, numbers, booleans and nulls without
// escapes: fastObject decodes exactly those straight into cty values,
// and declines (ok false) anything else, which decodeObject and
// jsonValue then handle as before. FuzzFastObject checks that the two
// paths agree.

// interner shares field names and short repeated values (a campaign, a
// site) between the records of one chunk, so that 100,000 records do not
// each hold their own copies.
type interner struct {
	names  map[string]string
	values map[string]cty.Value
	// inPlace makes strings point into the input instead of copying it;
	// see ValueJSONLinesInPlace.
	inPlace bool
}

// maxInternedValues bounds the value cache: unique ids would otherwise
// fill it with strings seen once.
const (
	maxInternedValues = 4096
	maxInternedLen    = 32
)

func newInterner(inPlace bool) *interner {
	return &interner{names: map[string]string{}, values: map[string]cty.Value{}, inPlace: inPlace}
}

func (in *interner) name(b []byte) string {
	if s, ok := in.names[string(b)]; ok {
		return s
	}
	s := string(b)
	in.names[s] = s
	return s
}

func (in *interner) str(b []byte) cty.Value {
	if len(b) > maxInternedLen {
		return cty.StringVal(in.string(b))
	}
	if v, ok := in.values[string(b)]; ok {
		return v
	}
	v := cty.StringVal(in.string(b))
	if len(in.values) < maxInternedValues {
		in.values[string(b)] = v
	}
	return v
}

// string converts a string's bytes, copying them unless inPlace.
func (in *interner) string(b []byte) string {
	if in.inPlace && len(b) > 0 {
		return unsafe.String(&b[0], len(b))
	}
	return string(b)
}

// fastObject decodes b, one trimmed line, when it is a flat JSON object
// of plain values. ok is false when it is anything else, valid or not.
func fastObject(b []byte, in *interner) (obj map[string]cty.Value, ok bool) {
	if !utf8.Valid(b) {
		return nil, false
	}
	p := fastParser{b: b}
	if !p.byte('{') {
		return nil, false
	}
	obj = make(map[string]cty.Value, 8)
	p.space()
	if p.byte('}') {
		return obj, p.end()
	}
	for {
		p.space()
		k, ok := p.plainString()
		if !ok {
			return nil, false
		}
		p.space()
		if !p.byte(':') {
			return nil, false
		}
		p.space()
		v, ok := p.value(in)
		if !ok {
			return nil, false
		}
		obj[in.name(k)] = v
		p.space()
		if p.byte(',') {
			continue
		}
		if p.byte('}') {
			return obj, p.end()
		}
		return nil, false
	}
}

type fastParser struct {
	b []byte
	i int
}

func (p *fastParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) byte(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// end reports whether only spaces follow.
func (p *fastParser) end() bool {
	p.space()
	return p.i == len(p.b)
}

// plainString reads a string without escapes or control characters.
func (p *fastParser) plainString() ([]byte, bool) {
	if !p.byte('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
		p.i++
	}
	return nil, false
}

func (p *fastParser) literal(s string) bool {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

func (p *fastParser) value(in *interner) (cty.Value, bool) {
	if p.i >= len(p.b) {
		return cty.NilVal, false
	}
	switch c := p.b[p.i]; {
	case c == '"':
		s, ok := p.plainString()
		if !ok {
			return cty.NilVal, false
		}
		return in.str(s), true
	case c == 't' && p.literal("true"):
		return cty.True, true
	case c == 'f' && p.literal("false"):
		return cty.False, true
	case c == 'n' && p.literal("null"):
		return cty.NullVal(cty.DynamicPseudoType), true
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		if !p.number() {
			return cty.NilVal, false
		}
		n, err := cty.ParseNumberVal(string(p.b[start:p.i]))
		if err != nil {
			return cty.NilVal, false
		}
		return n, true
	}
	return cty.NilVal, false
}

// number scans JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *fastParser) number() bool {
	p.byte('-')
	switch {
	case p.byte('0'):
	case p.i < len(p.b) && p.b[p.i] >= '1' && p.b[p.i] <= '9':
		p.digits()
	default:
		return false
	}
	if p.byte('.') {
		if p.digits() == 0 {
			return false
		}
	}
	if p.byte('e') || p.byte('E') {
		if !p.byte('+') {
			p.byte('-')
		}
		if p.digits() == 0 {
			return false
		}
	}
	return true
}

func (p *fastParser) digits() int {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}
