package reconcile

import (
	"strings"
	"testing"

	"github.com/callctl/callctl/config"
)

func TestAddressHint(t *testing.T) {
	calls := []*config.Call{
		{Address: `end_call.stuck["AAA"]`}, {Address: `end_call.stuck["BBB"]`}, {Address: "end_call.bridge"},
	}
	tests := map[string]struct{ addr, want string }{
		"unquoted key":       {`end_call.stuck[AAA]`, `-target='end_call.stuck["AAA"]', which matches a declared call.`},
		"unquoted, no match": {`end_call.stuck[ZZZ]`, `-target='end_call.stuck["ZZZ"]'.`},
		"quote in key":       {`end_call.stuck[it's]`, `-target='end_call.stuck["it'\''s"]'.`},
		"typo in block":      {`end_call.stuk`, `Did you mean "end_call.stuck"?`},
		"typo in full":       {`end_call.bridg`, `Did you mean "end_call.bridge"?`},
		"nothing close":      {`end_call.other_thing`, ``},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, diags := SelectCalls(calls, []string{tc.addr}, nil)
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			got := diags[0].Detail
			if tc.want == "" {
				if strings.Contains(got, "Did you mean") || strings.Contains(got, "quotes") {
					t.Errorf("unexpected hint in %q", got)
				}
				return
			}
			if !strings.HasSuffix(got, tc.want) {
				t.Errorf("detail %q does not end with %q", got, tc.want)
			}
		})
	}
}
