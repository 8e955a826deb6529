package reconcile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
)

func TestNotFoundDiagnostics(t *testing.T) {
	change := func(ex, id string, line int, a Action) *Change {
		return &Change{Address: fmt.Sprintf("end_call.x[%q]", id), Exchange: ex, CallID: id, Action: a,
			Call: &config.Call{DeclRange: hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: line}}}}
	}
	var many []*Change
	for i := range 8 {
		many = append(many, change("us", fmt.Sprintf("u-%d", i), 20+i, ActionNotFound))
	}
	tests := map[string]struct {
		changes  []*Change
		policy   NotFoundPolicy
		want     []string // summaries
		severity hcl.DiagnosticSeverity
		detail   []string
	}{
		"none": {changes: []*Change{change("eu", "a", 1, ActionNone), change("eu", "b", 2, ActionDisconnect)}},
		"one warns, naming call and declaration": {
			changes: []*Change{change("eu", "a", 1, ActionNone), change("eu", "typo", 7, ActionNotFound)},
			want:    []string{"Call not found"}, severity: hcl.DiagWarning,
			detail: []string{`end_call.x["typo"]`, `"typo"`, "declared at main.hcl:7", "not found: already ended, expired, or a wrong id", "-not-found=error"},
		},
		"error under the policy": {
			changes: []*Change{change("eu", "typo", 7, ActionNotFound)}, policy: NotFoundError,
			want: []string{"Call not found"}, severity: hcl.DiagError,
			detail: []string{"Nothing was disconnected"},
		},
		"many are grouped per exchange": {
			changes: append([]*Change{change("eu", "typo", 7, ActionNotFound)}, many...),
			want:    []string{"Call not found", "Calls not found"}, severity: hcl.DiagWarning,
			detail: []string{`does not know 8 calls`, `end_call.x["u-4"]`, "declared at main.hcl:24", "and 3 more"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			diags := NotFoundDiagnostics(tc.changes, tc.policy)
			var got []string
			var details string
			for _, d := range diags {
				got = append(got, d.Summary)
				details += d.Detail
				if d.Severity != tc.severity {
					t.Errorf("%s: severity %v, want %v", d.Summary, d.Severity, tc.severity)
				}
				if d.Subject == nil || d.Subject.Filename != "main.hcl" {
					t.Errorf("%s: no subject", d.Summary)
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("summaries (-want +got):\n%s", d)
			}
			for _, w := range tc.detail {
				if !strings.Contains(details, w) {
					t.Errorf("details lack %q:\n%s", w, details)
				}
			}
			if strings.Contains(details, "u-5") {
				t.Errorf("grouped diagnostic names more than %d calls:\n%s", maxNamedCalls, details)
			}
		})
	}
}
