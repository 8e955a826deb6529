package views

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/mitchellh/go-wordwrap"
	"github.com/zclconf/go-cty/cty"

	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/callctl/callctl/internal/visible"
)

// TextWriter renders diagnostics for people in the layout of HCL's
// DiagnosticTextWriter, with two differences. It finds a snippet's lines
// through an index of line starts built once per file, where HCL's writer
// scans the file from its first byte for every diagnostic: 8,000
// diagnostics about a 200 KB file took minutes. And it never prints a
// sensitive value (see Redact).
type TextWriter struct {
	w     io.Writer
	files map[string]*hcl.File
	width int
	color bool
	lines map[string][]int // file name -> byte offset of each line's start
}

// NewTextWriter returns a TextWriter quoting sources from files and
// wrapping details at width columns (0: no wrapping).
func NewTextWriter(w io.Writer, files map[string]*hcl.File, width int, color bool) *TextWriter {
	return &TextWriter{w: w, files: files, width: width, color: color, lines: map[string][]int{}}
}

// WriteDiagnostics writes each diagnostic.
func (tw *TextWriter) WriteDiagnostics(diags hcl.Diagnostics) {
	for _, d := range diags {
		tw.WriteDiagnostic(d)
	}
}

// WriteDiagnostic writes one diagnostic; write errors are the caller's
// writer's to keep (a bufio.Writer does).
func (tw *TextWriter) WriteDiagnostic(d *hcl.Diagnostic) {
	d, hidden := viewsjson.Redact(d)
	color, highlight, reset := "", "", ""
	if tw.color {
		color, highlight, reset = "\x1b[33m", "\x1b[1;4m", "\x1b[0m"
		if d.Severity == hcl.DiagError {
			color = "\x1b[31m"
		}
	}
	sev := "Warning"
	if d.Severity == hcl.DiagError {
		sev = "Error"
	}
	// A summary or detail may quote a server, an inventory or a command:
	// whatever a terminal would obey is made visible (details keep their
	// line breaks).
	fmt.Fprintf(tw.w, "%s%s%s: %s\n\n", color, sev, reset, visible.Text(d.Summary))

	if d.Subject != nil {
		tw.writeSnippet(d, hidden, highlight, reset)
	}
	if d.Detail != "" {
		detail := visible.Lines(d.Detail)
		if tw.width > 0 {
			// As HCL's writer does, an indented line is quoted text (a
			// command's standard error, say) and keeps its lines.
			lines := strings.Split(detail, "\n")
			for i, line := range lines {
				if !strings.HasPrefix(line, " ") {
					lines[i] = wordwrap.WrapString(line, uint(tw.width))
				}
			}
			detail = strings.Join(lines, "\n")
		}
		fmt.Fprintf(tw.w, "%s\n\n", detail)
	}
}

func (tw *TextWriter) writeSnippet(d *hcl.Diagnostic, hidden bool, highlight, reset string) {
	subj := *d.Subject
	f := tw.files[subj.Filename]
	switch {
	case hidden:
		fmt.Fprintf(tw.w, "  on %s line %d:\n  (source not shown: it holds a secret)\n\n", subj.Filename, subj.Start.Line)
		return
	case f == nil || f.Bytes == nil:
		fmt.Fprintf(tw.w, "  on %s line %d:\n  (source code not available)\n\n", subj.Filename, subj.Start.Line)
		return
	}
	snip, hl := subj, subj
	if d.Context != nil {
		snip = hcl.RangeOver(snip, *d.Context)
	}
	// An empty range cannot be shown: widen it to one byte, as HCL does.
	if snip.Empty() {
		snip.End.Byte++
	}
	if hl.Empty() {
		hl.End.Byte++
	}
	ctx := ""
	if cs, ok := f.Nav.(interface{ ContextString(int) string }); ok {
		if s := cs.ContextString(subj.Start.Byte); s != "" {
			ctx = ", in " + s
		}
	}
	fmt.Fprintf(tw.w, "  on %s line %d%s:\n", subj.Filename, subj.Start.Line, ctx)

	src := f.Bytes
	starts := tw.lineStarts(subj.Filename, src)
	// The first line that can overlap the snippet is the one holding its
	// start, or the one before when the start is a line's newline.
	first := max(sort.SearchInts(starts, snip.Start.Byte+1)-2, 0)
	for i := first; i < len(starts); i++ {
		ls, le := lineBounds(src, starts, i)
		if ls > snip.End.Byte {
			break
		}
		if !overlaps(ls, le, snip.Start.Byte, snip.End.Byte) {
			continue
		}
		hs, he := max(ls, hl.Start.Byte), min(le, hl.End.Byte)
		marked := overlaps(ls, le, hl.Start.Byte, hl.End.Byte) && hs < he
		// A minified or generated file can hold one enormous line, and
		// each diagnostic about it would print it whole.
		before, after := "", ""
		if le-ls > viewsjson.MaxSnippetLine {
			center := ls
			if marked {
				center = hs
			}
			ws := max(ls, center-viewsjson.MaxSnippetLine/4)
			we := min(le, ws+viewsjson.MaxSnippetLine)
			for ws < we && ws > ls && !utf8.RuneStart(src[ws]) {
				ws++
			}
			for we < le && !utf8.RuneStart(src[we]) {
				we--
			}
			if ws > ls {
				before = "…"
			}
			if we < le {
				after = "…"
			}
			ls, le = ws, we
			hs, he = min(max(hs, ls), le), max(min(he, le), ls)
			marked = marked && hs < he
		}
		if !marked {
			fmt.Fprintf(tw.w, "%4d: %s%s%s\n", i+1, before, src[ls:le], after)
			continue
		}
		fmt.Fprintf(tw.w, "%4d: %s%s%s%s%s%s%s\n", i+1, before, src[ls:hs], highlight, src[hs:he], reset, src[he:le], after)
	}
	fmt.Fprintln(tw.w)

	if d.Expression != nil && d.EvalContext != nil {
		tw.writeValues(d.Expression, d.EvalContext)
	}
}

// lineStarts returns the byte offset of each line of src, computed once
// per file.
func (tw *TextWriter) lineStarts(name string, src []byte) []int {
	if s, ok := tw.lines[name]; ok {
		return s
	}
	s := []int{0}
	for i, c := range src {
		if c == '\n' && i+1 <= len(src) {
			s = append(s, i+1)
		}
	}
	tw.lines[name] = s
	return s
}

// lineBounds returns line i's content, without its line ending, as
// bufio.ScanLines (and so HCL's writer) sees it.
func lineBounds(src []byte, starts []int, i int) (int, int) {
	ls, le := starts[i], len(src)
	if i+1 < len(starts) {
		le = starts[i+1] - 1
	}
	if le > ls && src[le-1] == '\r' {
		le--
	}
	return ls, le
}

// overlaps is hcl.Range.Overlaps on byte offsets: empty ranges overlap
// nothing.
func overlaps(as, ae, bs, be int) bool {
	in := func(s, e, off int) bool { return off >= s && off < e }
	if as >= ae || bs >= be {
		return false
	}
	return in(as, ae, bs) || in(as, ae, be) || in(bs, be, as) || in(bs, be, ae)
}

// writeValues prints "with var.x as ..." for the expression's references,
// as HCL does, skipping unknown and marked values.
func (tw *TextWriter) writeValues(expr hcl.Expression, ctx *hcl.EvalContext) {
	var stmts []string
	seen := map[string]bool{}
	for _, tr := range expr.Variables() {
		v, diags := tr.TraverseAbs(ctx)
		name := traversalText(tr)
		if diags.HasErrors() || seen[name] || !v.IsKnown() || v.ContainsMarked() {
			continue
		}
		seen[name] = true
		if v.IsNull() {
			stmts = append(stmts, name+" set to null")
		} else {
			stmts = append(stmts, name+" as "+valueText(v))
		}
	}
	slices.Sort(stmts)
	for i, s := range stmts {
		lead, end := "     ", ",\n"
		if i == 0 {
			lead = "with "
		}
		if i == len(stmts)-1 {
			end = ".\n\n"
		}
		fmt.Fprint(tw.w, lead, s, end)
	}
}

func traversalText(tr hcl.Traversal) string {
	var b strings.Builder
	for _, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type().IsPrimitiveType() && !s.Key.IsMarked() {
				b.WriteString("[" + valueText(s.Key) + "]")
			} else {
				b.WriteString("[...]")
			}
		}
	}
	return b.String()
}

// valueText is HCL's short description of a value in a diagnostic.
func valueText(v cty.Value) string {
	ty := v.Type()
	switch {
	case v.IsNull():
		return "null"
	case !v.IsKnown():
		return "(not yet known)"
	case ty == cty.Bool:
		return fmt.Sprint(v.True())
	case ty == cty.Number:
		return v.AsBigFloat().Text('g', 10)
	case ty == cty.String:
		return fmt.Sprintf("%q", v.AsString())
	case ty.IsCollectionType() || ty.IsTupleType():
		switch n := v.LengthInt(); n {
		case 0:
			return "empty " + ty.FriendlyName()
		case 1:
			return ty.FriendlyName() + " with 1 element"
		default:
			return fmt.Sprintf("%s with %d elements", ty.FriendlyName(), n)
		}
	case ty.IsObjectType():
		atys := ty.AttributeTypes()
		switch len(atys) {
		case 0:
			return "object with no attributes"
		case 1:
			for k := range atys {
				return fmt.Sprintf("object with 1 attribute %q", k)
			}
		}
		return fmt.Sprintf("object with %d attributes", len(atys))
	}
	return ty.FriendlyName()
}
