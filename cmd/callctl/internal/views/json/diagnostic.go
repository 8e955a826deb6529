package json

import (
	"bytes"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
)

// Diagnostic is a diagnostic in Terraform's JSON shape.
type Diagnostic struct {
	Severity string   `json:"severity"` // "error" or "warning"
	Summary  string   `json:"summary"`
	Detail   string   `json:"detail"`
	Range    *Range   `json:"range,omitempty"`
	Snippet  *Snippet `json:"snippet,omitempty"`
}

// Pos is a position in a source file; Line and Column count from 1, Byte
// from 0.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// Range is a span of a source file.
type Range struct {
	Filename string `json:"filename"`
	Start    Pos    `json:"start"`
	End      Pos    `json:"end"`
}

// Snippet is the source around a diagnostic, for tools that show it.
type Snippet struct {
	Context              *string `json:"context"`
	Code                 string  `json:"code"`
	StartLine            int     `json:"start_line"`
	HighlightStartOffset int     `json:"highlight_start_offset"`
	HighlightEndOffset   int     `json:"highlight_end_offset"`
	Values               []any   `json:"values"`
}

// maxSnippetCode is the most bytes of source a JSON snippet quotes.
const maxSnippetCode = 4096

// NewDiagnostic converts an HCL diagnostic, quoting its source from files.
func NewDiagnostic(d *hcl.Diagnostic, files map[string]*hcl.File) *Diagnostic {
	d, hidden := Redact(d)
	out := &Diagnostic{Summary: d.Summary, Detail: d.Detail, Severity: "error"}
	if d.Severity == hcl.DiagWarning {
		out.Severity = "warning"
	}
	if d.Subject == nil {
		return out
	}
	r := *d.Subject
	out.Range = &Range{
		Filename: r.Filename,
		Start:    Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:      Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
	}
	f := files[r.Filename]
	if f == nil || f.Bytes == nil || hidden {
		return out
	}
	// The snippet is the whole lines the subject covers.
	src := f.Bytes
	start := bytes.LastIndexByte(src[:min(r.Start.Byte, len(src))], '\n') + 1
	end := len(src)
	if i := bytes.IndexByte(src[min(r.End.Byte, len(src)):], '\n'); i >= 0 {
		end = min(r.End.Byte, len(src)) + i
	}
	if start > end {
		return out
	}
	// A minified or generated file can hold one enormous line, which each
	// diagnostic about it would quote whole: keep at most maxSnippetCode
	// bytes, from shortly before the subject.
	if end-start > maxSnippetCode {
		ws := max(start, min(r.Start.Byte, len(src))-MaxSnippetLine/4)
		for ws < end && !utf8.RuneStart(src[ws]) {
			ws++
		}
		we := min(end, ws+maxSnippetCode)
		for we > ws && we < end && !utf8.RuneStart(src[we]) {
			we--
		}
		start, end = ws, we
	}
	sn := &Snippet{
		Code:                 string(src[start:end]),
		StartLine:            r.Start.Line,
		HighlightStartOffset: r.Start.Byte - start,
		HighlightEndOffset:   min(r.End.Byte, end) - start,
		Values:               []any{},
	}
	if ctx := hcled.ContextString(f, r.Start.Byte); ctx != "" {
		sn.Context = &ctx
	}
	out.Snippet = sn
	return out
}
