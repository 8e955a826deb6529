package config

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// An expression that does not use each is evaluated once per for_each
// block (eval_shared.go); one that does must still be evaluated per
// instance, and a shared expression's error must still be reported.
func TestForEachSharesOnlyExpressionsWithoutEach(t *testing.T) {
	const exchange = `
exchange "corp" {
  url = "https://mail.example/EWS/Exchange.asmx"
}
`
	tests := map[string]struct {
		block       string
		wantReasons map[string]string // call id -> reason
		wantSummary string            // the only error, if any
	}{
		"reason without each is shared": {
			block: `
end_call "x" {
  for_each = toset(["a", "b"])
  exchange = exchange.corp
  call_id  = each.value
  reason   = "incident ${upper("i1")}"
}`,
			wantReasons: map[string]string{"a": "incident I1", "b": "incident I1"},
		},
		"reason with each is per instance": {
			block: `
end_call "x" {
  for_each = toset(["a", "b"])
  exchange = exchange.corp
  call_id  = "id-${each.key}"
  reason   = "stuck ${each.value}"
}`,
			wantReasons: map[string]string{"id-a": "stuck a", "id-b": "stuck b"},
		},
		"each.key and each.value read directly": {
			block: `
end_call "x" {
  for_each       = { k1 = "v1", k2 = "v2" }
  exchange       = exchange.corp
  call_id        = each.key
  reason         = each.value
  only_in_states = ["Connected"]
}`,
			wantReasons: map[string]string{"k1": "v1", "k2": "v2"},
		},
		"shared only_in_states error reported": {
			block: `
end_call "x" {
  for_each       = toset(["a", "b"])
  exchange       = exchange.corp
  call_id        = each.value
  only_in_states = ["Conected"]
}`,
			wantSummary: "Invalid call state",
		},
		"shared error reported": {
			block: `
end_call "x" {
  for_each = toset(["a", "b"])
  exchange = exchange.corp
  call_id  = each.value
  reason   = var.nope
}`,
			wantSummary: "Reference to undeclared input variable",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{"p/main.hcl": {Data: []byte(exchange + tt.block)}}
			pol, diags := NewLoader().LoadFS(fsys, "p", LoadOptions{})
			var errs []string
			for _, d := range diags {
				errs = append(errs, d.Summary)
			}
			if tt.wantSummary != "" {
				if diff := cmp.Diff([]string{tt.wantSummary}, errs); diff != "" {
					t.Errorf("diagnostics (-want +got):\n%s", diff)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("diagnostics: %v", diags)
			}
			got := map[string]string{}
			for _, c := range pol.Calls {
				got[c.CallID] = c.Reason
			}
			if diff := cmp.Diff(tt.wantReasons, got); diff != "" {
				t.Errorf("reasons by call id (-want +got):\n%s", diff)
			}
		})
	}
}
