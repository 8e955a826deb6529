package operation

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestPlanKeepsSnapshotOnlyToSave: a plan that is saved keeps what its
// inventory read, for apply to replay; one that is only shown does not
// hold it.
func TestPlanKeepsSnapshotOnlyToSave(t *testing.T) {
	const records = `{"call_id": "c-1"}` + "\n" + `{"call_id": "c-2"}` + "\n"
	tests := map[string]struct {
		out  string
		want []int
	}{
		"shown only": {out: "", want: []int{-1}},
		"saved":      {out: "p.plan", want: []int{len(records)}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, 0)
			src := `
variable "url" {
  type = string
}

exchange "corp" {
  url = var.url
}

data "inventory" "calls" {
  file = "calls.jsonl"
}

end_call "stuck" {
  for_each = { for c in data.inventory.calls.records : c.call_id => c }
  exchange = exchange.corp
  call_id  = each.key
}
`
			for name, data := range map[string]string{"main.hcl": src, "calls.jsonl": records} {
				if err := os.WriteFile(filepath.Join(f.dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			view := &recorder{}
			res := Plan(context.Background(), &PlanRequest{Request: f.request(), Out: tt.out}, view)
			if res.Status != StatusOK {
				t.Fatalf("plan: %v: %v", res.Status, view.summaries())
			}
			if got := res.Plan.Summary().ToDisconnect; got != 2 {
				t.Errorf("plan disconnects %d calls, want 2", got)
			}
			if !slices.Equal(view.snapshots, tt.want) {
				t.Errorf("snapshot lengths %v, want %v (-1: none kept)", view.snapshots, tt.want)
			}
		})
	}
}
