package json

import (
	"strings"
	"testing"
)

// TestJSONSnippetCutsLongLines checks that a JSON snippet quotes at most
// maxSnippetCode bytes of an enormous line, with offsets that still point
// at the subject.
func TestJSONSnippetCutsLongLines(t *testing.T) {
	src := "a = [" + strings.Repeat("1, ", 10000) + "nope.x]\n"
	diags, files := parseDiags([]byte(src))
	if len(diags) == 0 {
		t.Fatal("no diagnostics")
	}
	sn := NewDiagnostic(diags[0], files).Snippet
	if sn == nil {
		t.Fatal("no snippet")
	}
	if len(sn.Code) > maxSnippetCode {
		t.Errorf("the snippet quotes %d bytes", len(sn.Code))
	}
	if got := sn.Code[sn.HighlightStartOffset:sn.HighlightEndOffset]; got != "nope" {
		t.Errorf("the highlight covers %q, want \"nope\"", got)
	}
}
