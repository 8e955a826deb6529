// Package visible makes text from outside callctl safe to print: every
// string a server, an inventory or a command supplies (a call state, a
// fault's message, a call id, a reason, a command's standard error) goes
// through Text, or Lines, before it reaches a terminal, a Markdown comment
// or a table.
//
// A terminal obeys escape sequences, so a server answering with
// "\x1b[2J" could clear the screen and print a fake "Apply complete!"; a
// newline could forge a line of a plan; a right-to-left override (U+202E)
// makes text read differently from what it is. Text shows each such
// character as a Go-style escape instead: the bytes are still all there
// for whoever needs them, and nothing is obeyed.
package visible

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text returns s with every control character (C0, DEL and C1), every
// bidirectional formatting character (U+202A–U+202E, U+2066–U+2069, and
// the marks U+200E, U+200F, U+061C), the line and paragraph separators
// (U+2028, U+2029) and every byte that is not UTF-8 shown as an escape
// such as \n, \x1b, \u202e or \xff. Other text, backslashes included, is
// unchanged, so ordinary strings print as they are.
func Text(s string) string { return escape(s, false) }

// Lines is Text that keeps newlines as line breaks, for text that has
// lines of its own, such as a command's standard error. A carriage return
// is still shown, so no line can overwrite another.
func Lines(s string) string { return escape(s, true) }

// Quote is s as a Go string literal (strconv.Quote): for a call id or a
// reason, which must be shown exactly, quotes, backslashes and every
// character Text escapes included.
func Quote(s string) string { return strconv.Quote(s) }

// Dangerous reports whether Text would escape r: a control or bidi
// formatting character, or a line separator. (Bytes that are not UTF-8
// are escaped too; a U+FFFD written as such is not.)
func Dangerous(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

func escape(s string, keepNewlines bool) string {
	if !needsEscape(s, keepNewlines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case Dangerous(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && !(keepNewlines && c == '\n') || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 || Dangerous(r) {
			return true
		}
		i += size
	}
	return false
}
