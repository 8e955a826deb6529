package views

import (
	"fmt"
	"strings"
	"testing"

	"github.com/callctl/callctl/reconcile"
)

func TestMarkdownTruncatesUnderLimit(t *testing.T) {
	plan := &reconcile.Plan{}
	for i := range 5000 {
		plan.Changes = append(plan.Changes, &reconcile.Change{
			Address: fmt.Sprintf(`end_call.stuck["id-%04d"]`, i), Exchange: "corp",
			CallID: fmt.Sprintf("id-%04d", i), State: "Connected", Action: reconcile.ActionDisconnect,
			Reason: "a long reason that takes room in every row of the table, INC-4821",
		})
	}
	md := Markdown(plan, "footer\n", MarkdownLimit)
	if len(md) > MarkdownLimit {
		t.Fatalf("rendered %d characters, over the %d limit", len(md), MarkdownLimit)
	}
	if !strings.HasPrefix(md, "**Plan: 5000 to disconnect, 0 already ended, 0 not found.**") {
		t.Errorf("summary line is not first:\n%.200s", md)
	}
	rows := strings.Count(md, "| 🔴 disconnect |")
	if rows == 0 || rows == 5000 {
		t.Fatalf("%d rows shown", rows)
	}
	if want := fmt.Sprintf("| … | %d more calls not shown |", 5000-rows); !strings.Contains(md, want) {
		t.Errorf("missing note %q", want)
	}
	if !strings.Contains(md, "<details>") || !strings.HasSuffix(md, "</details>\n\nfooter\n") {
		t.Errorf("table is not collapsible or footer misplaced")
	}
}

func TestMarkdownEscapesCells(t *testing.T) {
	plan := &reconcile.Plan{Changes: []*reconcile.Change{{
		Address: "end_call.x", Exchange: "corp", CallID: "a|b<script>`", Action: reconcile.ActionDisconnect,
		Reason: "line\nbreak & more",
	}}}
	md := Markdown(plan, "", MarkdownLimit)
	for _, bad := range []string{"a|b", "<script>", "line\nbreak"} {
		if strings.Contains(md, bad) {
			t.Errorf("unescaped %q in:\n%s", bad, md)
		}
	}
	if !strings.Contains(md, "a&#124;b&lt;script&gt;&#96;") {
		t.Errorf("call id not escaped as expected:\n%s", md)
	}
}

// Not-found calls are flagged above the table for the reviewer, and each
// row says what "not found" may mean.
func TestMarkdownFlagsNotFound(t *testing.T) {
	plan := &reconcile.Plan{Changes: []*reconcile.Change{
		{Address: "end_call.a", Exchange: "corp", CallID: "c-1", Action: reconcile.ActionDisconnect},
		{Address: "end_call.typo", Exchange: "corp", CallID: "c-1x", Action: reconcile.ActionNotFound},
	}}
	md := Markdown(plan, "", MarkdownLimit)
	for _, want := range []string{
		"**Plan: 1 to disconnect, 0 already ended, 1 not found.**",
		"> 1 call was not found by the exchange: already ended, expired, or a wrong id.",
		"| ⚠️ not found (already ended, expired, or a wrong id) | end\\_call.typo |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("lacks %q:\n%s", want, md)
		}
	}
	if md := Markdown(&reconcile.Plan{Changes: plan.Changes[:1]}, "", MarkdownLimit); strings.Contains(md, "WARNING") {
		t.Errorf("warning without a not-found call:\n%s", md)
	}
}

// Every cell shows control characters (C0, C1, DEL) and bidi overrides as
// escapes: a call id, a reason and a state from outside cannot hide text,
// reverse it or add a row.
func TestMarkdownMakesControlsVisible(t *testing.T) {
	plan := &reconcile.Plan{Changes: []*reconcile.Change{{
		Address: `end_call.x["k"]`, Exchange: "corp", Action: reconcile.ActionDisconnect,
		CallID: "id\x1b[2J\u009b1m\u202egnp.exe",
		State:  "Connected\n| 🔴 disconnect | end_call.zzz |",
		Reason: "why\u2066hidden\u2069\x7f\r",
	}}}
	md := Markdown(plan, "", MarkdownLimit)
	for _, r := range md {
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069) {
			t.Fatalf("markdown holds %U:\n%s", r, md)
		}
	}
	for _, want := range []string{`id\\x1b\[2J\\u009b1m\\u202egnp.exe`, `Connected\\n&#124; 🔴 disconnect &#124; end\_call.zzz &#124;`, `why\\u2066hidden\\u2069\\x7f\\r`} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %s:\n%s", want, md)
		}
	}
	if n := strings.Count(md, "| 🔴 disconnect |"); n != 1 {
		t.Errorf("%d disconnect rows, want 1:\n%s", n, md)
	}
}
