package views

import (
	"fmt"
	"strings"

	"github.com/callctl/callctl/internal/visible"
	"github.com/callctl/callctl/reconcile"
)

// MarkdownLimit keeps a rendered plan under the 65,536-character limit of
// a GitHub comment, with room for a CI job's own heading.
const MarkdownLimit = 65000

// Markdown renders a plan for a pull-request comment: the summary line
// first, then a collapsible table of calls, cut short (with a note of how
// many rows were left out) so the whole stays under limit characters.
func Markdown(plan *reconcile.Plan, footer string, limit int) string {
	s := plan.Summary()
	head := fmt.Sprintf("**%s**\n\n", PlanSummaryLine(s, len(plan.Changes)))
	if s.NotFound > 0 {
		// A reviewer must see that some ids matched nothing: a typo of a
		// live call's id would otherwise pass for an ended call.
		head += fmt.Sprintf("> [!WARNING]\n> %d %s not found by the exchange: already ended, expired, or a wrong id. Check %s before approving.\n\n",
			s.NotFound, plural(s.NotFound, "call was", "calls were"), plural(s.NotFound, "its id", "their ids"))
	}
	if len(plan.Changes) == 0 {
		return head + footer
	}
	open := fmt.Sprintf("<details><summary>%d %s (%d to disconnect)</summary>\n\n| Action | Address | Exchange | Call ID | State | Reason |\n|---|---|---|---|---|---|\n",
		len(plan.Changes), plural(len(plan.Changes), "call", "calls"), s.ToDisconnect)
	const closing = "\n</details>\n\n"
	// The note is reserved at its longest so that adding it never pushes
	// the result over the limit.
	maxNote := fmt.Sprintf("| … | %d more calls not shown | | | | |\n", len(plan.Changes))

	var b strings.Builder
	b.WriteString(head)
	b.WriteString(open)
	budget := limit - len(head) - len(open) - len(closing) - len(footer) - len(maxNote)
	shown := 0
	for _, c := range plan.Changes {
		row := markdownRow(c)
		if len(row) > budget {
			break
		}
		budget -= len(row)
		b.WriteString(row)
		shown++
	}
	if left := len(plan.Changes) - shown; left > 0 {
		fmt.Fprintf(&b, "| … | %d more %s not shown | | | | |\n", left, plural(left, "call", "calls"))
	}
	b.WriteString(closing)
	b.WriteString(footer)
	return b.String()
}

func markdownRow(c *reconcile.Change) string {
	action := map[reconcile.Action]string{
		reconcile.ActionDisconnect: "🔴 disconnect",
		reconcile.ActionNone:       "already ended",
		reconcile.ActionNotFound:   "⚠️ not found (already ended, expired, or a wrong id)",
		reconcile.ActionLeaveAlone: "left alone",
	}[c.Action]
	// No code spans: GitHub does not decode entities inside them, and a
	// for_each key may hold anything, so every cell is plain escaped text.
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s |\n",
		action, cell(c.Address), cell(c.Exchange), cell(c.CallID), cell(c.State), cell(c.Reason))
}

// cellEscaper makes text safe inside a table cell: call ids and reasons
// are arbitrary strings, and a stray | or < would break the table or inject
// HTML into the comment, a * or _ would start emphasis.
var cellEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "&#124;", "`", "&#96;",
	"\\", "\\\\", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "~", "\\~",
	"\n", " ", "\r", " ",
)

// Control characters and bidi overrides are made visible first (a
// newline as \n, ESC as \x1b, U+202E as \u202e): GitHub would pass C1
// controls and bidi overrides through to the page.
func cell(s string) string { return cellEscaper.Replace(visible.Text(s)) }
