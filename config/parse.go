package config

import (
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// maxNesting bounds how deeply brackets, braces, parentheses, strings and
// template interpolations may nest in HCL source. hclsyntax parses by
// recursive descent, so 100,000 "[" exhaust the goroutine stack, which is
// a fatal error no recover can catch. Real policies nest a few levels.
const maxNesting = 200

// maxDiagsPerFile is how many diagnostics one file may contribute; random
// bytes or a var-file of 8,000 broken lines would otherwise print one
// error per line, which helps nobody and takes long to render.
const maxDiagsPerFile = 50

// parseConfig parses an HCL file after checking its nesting depth.
func parseConfig(src []byte, filename string) (*hclsyntax.Body, *hcl.File, hcl.Diagnostics) {
	if d := checkNesting(src, filename); d != nil {
		return nil, nil, hcl.Diagnostics{d}
	}
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	backslashHint(diags)
	if f == nil {
		return nil, nil, diags
	}
	body, _ := f.Body.(*hclsyntax.Body)
	return body, f, diags
}

// parseExpression parses an HCL expression, such as a -var value, after
// checking its nesting depth.
func parseExpression(src []byte, filename string) (hclsyntax.Expression, hcl.Diagnostics) {
	if d := checkNesting(src, filename); d != nil {
		return nil, hcl.Diagnostics{d}
	}
	expr, diags := hclsyntax.ParseExpression(src, filename, hcl.InitialPos)
	backslashHint(diags)
	return expr, diags
}

// nestKind is what an open nesting level is.
type nestKind int

const (
	nestBracket nestKind = iota // [ { (
	nestString                  // "..."
	nestHeredoc                 // <<EOT ... EOT
	nestInterp                  // ${ or %{ inside a string or heredoc
)

type nestLevel struct {
	kind nestKind
	term string // a heredoc's closing marker
}

// checkNesting scans src once, following HCL's lexical modes closely
// enough to count nesting (comments, quoted strings with escapes,
// heredocs, template interpolations), and returns an error at the first
// position deeper than maxNesting. Unbalanced closers are left for the
// parser to report.
func checkNesting(src []byte, filename string) *hcl.Diagnostic {
	var stack []nestLevel
	line, col := 1, 1
	top := func() nestKind {
		if len(stack) == 0 {
			return nestBracket
		}
		return stack[len(stack)-1].kind
	}
	// Constructs that nest without brackets make the parser recurse too:
	// a run of unary operators (!!!!x, - - -1), a chain of conditionals
	// (a ? b : c ? d : ...) and template directives (%{if}%{if}...).
	unary, directives := 0, 0
	conds := map[int]int{} // conditionals so far, by nesting level
	tooDeep := func(depth, at int) *hcl.Diagnostic {
		if depth <= maxNesting {
			return nil
		}
		pos := hcl.Pos{Line: line, Column: col, Byte: at}
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Nesting too deep",
			Detail: fmt.Sprintf("Brackets, braces, strings, interpolations, operators or conditionals are nested more than %d levels deep here, so the file is not parsed. A policy never needs this; check that %s is the file you meant.",
				maxNesting, filename),
			Subject: &hcl.Range{Filename: filename, Start: pos, End: hcl.Pos{Line: line, Column: col + 1, Byte: at + 1}},
		}
	}
	push := func(l nestLevel, at int) *hcl.Diagnostic {
		stack = append(stack, l)
		delete(conds, len(stack))
		return tooDeep(len(stack), at)
	}
	atLineStart := true
	for i := 0; i < len(src); {
		c := src[i]
		n := 1
		if c >= utf8.RuneSelf {
			_, n = utf8.DecodeRune(src[i:])
		}
		var d *hcl.Diagnostic
		switch k := top(); {
		case k == nestHeredoc && atLineStart && hasTerminator(src[i:], stack[len(stack)-1].term):
			stack = stack[:len(stack)-1]
		case k == nestString || k == nestHeredoc:
			switch {
			case c == '\\' && k == nestString && i+1 < len(src) && src[i+1] != '\n':
				n = 2
			case c == '"' && k == nestString:
				stack = stack[:len(stack)-1]
			case c == '\n' && k == nestString:
				stack = stack[:len(stack)-1] // HCL strings end at a newline
			case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
				if i+2 < len(src) && src[i+2] == src[i] { // $${ and %%{ are escapes
					n = 3
					break
				}
				if c == '%' {
					switch templateKeyword(src[i+2:]) {
					case "if", "for":
						directives++
						d = tooDeep(directives, i)
					case "endif", "endfor":
						directives--
					}
				}
				if d == nil {
					d = push(nestLevel{kind: nestInterp}, i)
				}
				n = 2
			}
		default: // code: the top level, inside brackets or inside an interpolation
			switch {
			case c == '!' || c == '-':
				unary++
				d = tooDeep(unary, i)
			case c == '?':
				conds[len(stack)]++
				d = tooDeep(conds[len(stack)], i)
			case c == ',' || (c == '\n' && len(stack) == 0):
				conds[len(stack)] = 0
			}
			if c != '!' && c != '-' && c != ' ' && c != '\t' {
				unary = 0
			}
			if d != nil {
				break
			}
			switch {
			case c == '#' || (c == '/' && i+1 < len(src) && src[i+1] == '/'):
				for i+n < len(src) && src[i+n] != '\n' {
					n++
				}
			case c == '/' && i+1 < len(src) && src[i+1] == '*':
				n = 2
				for i+n < len(src) && !(src[i+n] == '*' && i+n+1 < len(src) && src[i+n+1] == '/') {
					n++
				}
				n = min(n+2, len(src)-i)
			case c == '"':
				d = push(nestLevel{kind: nestString}, i)
			case c == '<' && i+1 < len(src) && src[i+1] == '<':
				if term, skip := heredocMarker(src[i+2:]); term != "" {
					d = push(nestLevel{kind: nestHeredoc, term: term}, i)
					n = 2 + skip
				} else {
					n = 2
				}
			case c == '[' || c == '{' || c == '(':
				d = push(nestLevel{kind: nestBracket}, i)
			case c == '}' && k == nestInterp:
				stack = stack[:len(stack)-1]
			case (c == ']' || c == '}' || c == ')') && len(stack) > 0 && k == nestBracket:
				stack = stack[:len(stack)-1]
			}
		}
		if d != nil {
			return d
		}
		// Advance, keeping line and column for the diagnostic.
		for j := i; j < i+n && j < len(src); j++ {
			switch {
			case src[j] == '\n':
				line, col = line+1, 1
			case src[j] < utf8.RuneSelf || utf8.RuneStart(src[j]):
				col++
			}
		}
		atLineStart = src[i+n-1] == '\n'
		i += n
	}
	return nil
}

// templateKeyword returns the word that opens a template directive, after
// "%{" and an optional "~" and spaces.
func templateKeyword(src []byte) string {
	i := 0
	for i < len(src) && (src[i] == '~' || src[i] == ' ' || src[i] == '\t') {
		i++
	}
	start := i
	for i < len(src) && src[i] >= 'a' && src[i] <= 'z' {
		i++
	}
	return string(src[start:i])
}

// heredocMarker reads what follows "<<": an optional "-", an identifier
// and the end of the line. It returns the identifier and how many bytes
// it took, including the newline, or "" when this is not a heredoc.
func heredocMarker(src []byte) (string, int) {
	i := 0
	if i < len(src) && src[i] == '-' {
		i++
	}
	start := i
	for i < len(src) && (src[i] == '_' || src[i] == '-' || src[i] >= 'a' && src[i] <= 'z' || src[i] >= 'A' && src[i] <= 'Z' || src[i] >= '0' && src[i] <= '9') {
		i++
	}
	if i == start {
		return "", 0
	}
	term := string(src[start:i])
	if i < len(src) && src[i] == '\r' {
		i++
	}
	if i >= len(src) || src[i] != '\n' {
		return "", 0
	}
	return term, i + 1
}

// hasTerminator reports whether the line at the start of src, less
// leading spaces and tabs, is a heredoc's closing marker.
func hasTerminator(src []byte, term string) bool {
	i := 0
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	rest := src[i:]
	if len(rest) < len(term) || string(rest[:len(term)]) != term {
		return false
	}
	rest = rest[len(term):]
	return len(rest) == 0 || rest[0] == '\n' || rest[0] == '\r'
}

// capDiags keeps, in order, at most maxDiagsPerFile errors and as many
// warnings per file (so that a flood of warnings cannot hide an error),
// and says how many more each file had, at the first one left out.
func capDiags(diags hcl.Diagnostics) hcl.Diagnostics {
	type fileSev struct {
		file string
		sev  hcl.DiagnosticSeverity
	}
	count := map[fileSev]int{}
	type dropped struct {
		first            *hcl.Diagnostic
		errors, warnings int
	}
	drops := map[string]*dropped{}
	var order []string
	out := diags[:0:0]
	for _, d := range diags {
		file := ""
		if d.Subject != nil {
			file = d.Subject.Filename
		}
		key := fileSev{file, d.Severity}
		count[key]++
		if count[key] <= maxDiagsPerFile {
			out = append(out, d)
			continue
		}
		dr := drops[file]
		if dr == nil {
			dr = &dropped{first: d}
			drops[file] = dr
			order = append(order, file)
		}
		if d.Severity == hcl.DiagError {
			dr.errors++
		} else {
			dr.warnings++
		}
	}
	for _, file := range order {
		dr := drops[file]
		sev, what := hcl.DiagWarning, plural(dr.warnings, "more warning")
		switch {
		case dr.errors > 0 && dr.warnings > 0:
			sev, what = hcl.DiagError, plural(dr.errors, "more error")+" and "+plural(dr.warnings, "warning")
		case dr.errors > 0:
			sev, what = hcl.DiagError, plural(dr.errors, "more error")
		}
		where := "without a source location"
		if file != "" {
			where = "in " + file
		}
		out = append(out, &hcl.Diagnostic{
			Severity: sev,
			Summary:  "And " + what,
			Detail: fmt.Sprintf("Only the first %d errors and %d warnings %s are shown; %s, starting here, are not. Fix the ones shown first: they often cause the rest.",
				maxDiagsPerFile, maxDiagsPerFile, where, what),
			Subject: dr.first.Subject,
		})
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
