package config

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
)

// A call a for_each selects that a protect block forbids is skipped, with
// one warning per end_call block listing each; the others are kept. An
// end_call naming a protected call itself stays an error.
func TestProtectedForEachCallsSkipped(t *testing.T) {
	src := `
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}
end_call "many" {
  for_each = toset(["c-1", "911-1", "c-2", "911-2"])
  exchange = exchange.corp
  call_id  = each.value
}
protect "desk" {
  patterns = ["911-*"]
}
`
	pol, diags := NewLoader().LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(src)}}, ".", LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var ids []string
	for _, c := range pol.Calls {
		ids = append(ids, c.CallID)
	}
	if strings.Join(ids, ",") != "c-1,c-2" || len(pol.Protected) != 2 {
		t.Errorf("kept %v, protected %d; want c-1,c-2 and 2", ids, len(pol.Protected))
	}
	var warnings []*hcl.Diagnostic
	for _, d := range diags {
		if d.Summary == "Protected calls skipped" {
			warnings = append(warnings, d)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0].Detail, `end_call.many["911-1"]`) || !strings.Contains(warnings[0].Detail, `end_call.many["911-2"]`) {
		t.Errorf("want one warning naming both skipped calls, got %v", warnings)
	}

	literal := src + `
end_call "one" {
  exchange = exchange.corp
  call_id  = "911-3"
}
`
	_, diags = NewLoader().LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(literal)}}, ".", LoadOptions{})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Call is protected") {
		t.Errorf("a literal end_call of a protected call: %v, want the error", diags)
	}
}
