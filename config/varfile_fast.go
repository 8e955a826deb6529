package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// simpleVarFile reads the var-files operators actually write, plain
// `name = "string"` and `name = ["string", ...]` lines with # or //
// comments on lines of their own or between list elements, without
// building HCL's token stream and syntax tree: for a 100,000-id incident
// list those cost more than the rest of loading together. It returns the
// attributes hclsyntax.ParseConfig and JustAttributes would return, values
// and ranges alike (TestSimpleVarFileMatchesHCL and FuzzSimpleVarFile
// compare the two), and ok false on anything else, from a non-ASCII byte
// or a backslash to a template sequence or a repeated name, so that HCL
// parses it and says what is wrong.
func simpleVarFile(src []byte, filename string) (attrs hcl.Attributes, ok bool) {
	s := &varScanner{src: src, filename: filename, line: 1, lineStart: 0}
	for _, c := range src {
		// ASCII only, so that a column is a byte count, and no control
		// characters but tab and newline (no CR: HCL folds CRLF).
		if c >= 0x80 || c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
			return nil, false
		}
	}
	attrs = hcl.Attributes{}
	for {
		s.skipBlankLines()
		if s.i >= len(src) {
			return attrs, true
		}
		attr, ok := s.attribute()
		if !ok || attrs[attr.Name] != nil {
			return nil, false
		}
		attrs[attr.Name] = attr
	}
}

type varScanner struct {
	src       []byte
	filename  string
	i         int // next byte
	line      int // line of src[i], from 1
	lineStart int // offset of the line's first byte
}

func (s *varScanner) pos() hcl.Pos {
	return hcl.Pos{Line: s.line, Column: s.i - s.lineStart + 1, Byte: s.i}
}

func (s *varScanner) rangeFrom(start hcl.Pos) hcl.Range {
	return hcl.Range{Filename: s.filename, Start: start, End: s.pos()}
}

func (s *varScanner) newline() {
	s.i++
	s.line++
	s.lineStart = s.i
}

func (s *varScanner) skipSpaces() {
	for s.i < len(s.src) && (s.src[s.i] == ' ' || s.src[s.i] == '\t') {
		s.i++
	}
}

// comment skips a # or // comment up to its newline, which it leaves.
func (s *varScanner) comment() bool {
	rest := s.src[s.i:]
	if len(rest) == 0 || rest[0] != '#' && !(len(rest) > 1 && rest[0] == '/' && rest[1] == '/') {
		return false
	}
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		s.i++
	}
	return true
}

// skipBlankLines skips whitespace, newlines and comments.
func (s *varScanner) skipBlankLines() {
	for {
		s.skipSpaces()
		switch {
		case s.i >= len(s.src):
			return
		case s.src[s.i] == '\n':
			s.newline()
		case !s.comment():
			return
		}
	}
}

// attribute reads `name = value` and the newline (or end) after it.
func (s *varScanner) attribute() (*hcl.Attribute, bool) {
	start := s.pos()
	j := s.i
	for j < len(s.src) && isIdentByte(s.src[j], j == s.i) {
		j++
	}
	if j == s.i {
		return nil, false
	}
	name := string(s.src[s.i:j])
	s.i = j
	nameRange := s.rangeFrom(start)
	s.skipSpaces()
	if s.i >= len(s.src) || s.src[s.i] != '=' {
		return nil, false
	}
	s.i++
	s.skipSpaces()
	valStart := s.pos()
	var val cty.Value
	var ok bool
	if s.i < len(s.src) && s.src[s.i] == '[' {
		val, ok = s.list()
	} else {
		val, ok = s.str()
	}
	if !ok {
		return nil, false
	}
	valRange := s.rangeFrom(valStart)
	s.skipSpaces()
	if s.i < len(s.src) {
		if s.src[s.i] != '\n' {
			return nil, false // a trailing comment, or anything else
		}
		s.newline()
	}
	return &hcl.Attribute{
		Name:      name,
		Expr:      hcl.StaticExpr(val, valRange),
		Range:     hcl.RangeBetween(nameRange, valRange),
		NameRange: nameRange,
	}, true
}

// str reads a quoted string with no escapes and no template sequences.
func (s *varScanner) str() (cty.Value, bool) {
	if s.i >= len(s.src) || s.src[s.i] != '"' {
		return cty.NilVal, false
	}
	j := s.i + 1
	for ; j < len(s.src) && s.src[j] != '"'; j++ {
		switch s.src[j] {
		case '\\', '\n', '$', '%':
			return cty.NilVal, false
		}
	}
	if j >= len(s.src) {
		return cty.NilVal, false
	}
	v := cty.StringVal(string(s.src[s.i+1 : j]))
	s.i = j + 1
	return v, true
}

// list reads [ "a", "b", ] over any number of lines, with comments.
func (s *varScanner) list() (cty.Value, bool) {
	s.i++ // [
	var elems []cty.Value
	for {
		s.skipBlankLines()
		if s.i < len(s.src) && s.src[s.i] == ']' {
			s.i++
			break
		}
		v, ok := s.str()
		if !ok {
			return cty.NilVal, false
		}
		elems = append(elems, v)
		s.skipBlankLines()
		if s.i < len(s.src) && s.src[s.i] == ',' {
			s.i++
			continue
		}
		if s.i < len(s.src) && s.src[s.i] == ']' {
			s.i++
			break
		}
		return cty.NilVal, false
	}
	if len(elems) == 0 {
		return cty.EmptyTupleVal, true
	}
	return cty.TupleVal(elems), true
}

// isIdentByte is HCL's identifier alphabet restricted to ASCII.
func isIdentByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		return true
	case c >= '0' && c <= '9', c == '-':
		return !first
	}
	return false
}
