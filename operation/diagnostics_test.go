package operation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/lock"
	"github.com/callctl/callctl/planfile"
	"github.com/callctl/callctl/reconcile"
)

func TestLockDiagnostic(t *testing.T) {
	tests := map[string]struct {
		err         error
		wantSummary string
		wantDetail  string
	}{
		"held by another apply": {
			err:         &lock.HeldError{Path: "/p/.callctl/lock"},
			wantSummary: "Policy directory is locked",
		},
		"interrupted while waiting": {
			err:         fmt.Errorf("lock: waiting: %w", context.Canceled),
			wantSummary: "Apply interrupted", wantDetail: "Interrupted while waiting for another apply",
		},
		"not creatable": {
			err:         errors.New("lock: mkdir /p/.callctl: permission denied"),
			wantSummary: "Cannot create the apply lock", wantDetail: "Mkdir /p/.callctl: permission denied. callctl apply locks the policy directory",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := lockDiagnostic(tc.err)
			if d.Summary != tc.wantSummary || !strings.Contains(d.Detail, tc.wantDetail) {
				t.Errorf("got %q: %q, want %q containing %q", d.Summary, d.Detail, tc.wantSummary, tc.wantDetail)
			}
			if strings.Contains(d.Detail, "lock: ") || !strings.HasSuffix(d.Detail, ".") {
				t.Errorf("detail %q keeps the package prefix or lacks a full stop", d.Detail)
			}
		})
	}
}

// An apply that cannot create its lock says so, and disconnects nothing.
func TestApplyCannotCreateLock(t *testing.T) {
	f := newFixture(t, 0)
	if err := os.WriteFile(filepath.Join(f.dir, ".callctl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	view := &recorder{}
	req := &ApplyRequest{Request: f.request(), AutoApprove: true}
	if res := Apply(context.Background(), context.Background(), req, view); res.Status != StatusError {
		t.Errorf("status %d, want error", res.Status)
	}
	d := findDiag(t, view, "Cannot create the apply lock")
	if !strings.Contains(d, "needs to write .callctl/ there (or in -state-dir, when given). Nothing was disconnected.") {
		t.Errorf("detail %q", d)
	}
	if f.state(t, "c-1") != "Connected" {
		t.Error("an unlocked apply disconnected a call")
	}
}

func TestJournalDiagnostic(t *testing.T) {
	d := journalDiagnostic("/p/.callctl/journal.jsonl", errors.New("no space left on device"))
	if d.Summary != "Journal could not be written" ||
		!strings.Contains(d.Detail, "/p/.callctl/journal.jsonl failed: no space left on device.") ||
		!strings.Contains(d.Detail, `"callctl plan"`) {
		t.Errorf("got %q: %q", d.Summary, d.Detail)
	}
}

// LoadPolicy, as validate, reads no data source: a missing inventory file
// is no error, and the data source stays unread.
func TestLoadPolicyReadsNoDataSource(t *testing.T) {
	dir := t.TempDir()
	src := `
exchange "corp" {
  url = "https://mail.example/EWS/Exchange.asmx"
}

data "inventory" "calls" {
  file = "not-there.jsonl"
}

end_call "all" {
  for_each = { for c in data.inventory.calls.records : c.id => c }
  exchange = exchange.corp
  call_id  = each.key
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	policy, diags := LoadPolicy(&Request{Dir: dir}, noSources{})
	if diags.HasErrors() {
		t.Fatalf("LoadPolicy: %s", diags.Error())
	}
	if len(policy.DataSources) != 1 || policy.DataSources[0].Read || policy.DataSources[0].Address != "data.inventory.calls" {
		t.Errorf("data sources %+v, want data.inventory.calls unread", policy.DataSources)
	}

	// A plan does read it, and says the file is missing.
	view := &recorder{}
	req := &PlanRequest{Request: Request{Dir: dir, MaxDisconnects: -1}}
	if res := Plan(context.Background(), req, view); res.Status != StatusError {
		t.Errorf("plan status %d, want error: %q", res.Status, view.summaries())
	}
}

func TestDataSourceProblems(t *testing.T) {
	held := func(addrs ...string) *planfile.File {
		f := &planfile.File{}
		for _, a := range addrs {
			f.DataSources = append(f.DataSources, planfile.DataSnapshot{Address: a, Records: 3})
		}
		return f
	}
	declared := func(ds ...*config.DataSource) *config.Policy { return &config.Policy{DataSources: ds} }
	tests := map[string]struct {
		file   *planfile.File
		policy *config.Policy
		want   []string
	}{
		"agree": {
			file:   held("data.inventory.a"),
			policy: declared(&config.DataSource{Address: "data.inventory.a", FromSnapshot: true, Records: 3}),
		},
		"declared since": {
			file:   held(),
			policy: declared(&config.DataSource{Address: "data.inventory.a"}),
			want:   []string{"data.inventory.a: the plan holds no records of it"},
		},
		"not given from the plan": {
			file:   held("data.inventory.a"),
			policy: declared(&config.DataSource{Address: "data.inventory.a", Records: 3}),
			want:   []string{"data.inventory.a: the plan holds no records of it"},
		},
		"records disagree": {
			file:   held("data.inventory.a"),
			policy: declared(&config.DataSource{Address: "data.inventory.a", FromSnapshot: true, Records: 2}),
			want:   []string{"data.inventory.a: the plan holds 2 records but says 3"},
		},
		"removed since, named in order": {
			file:   held("data.inventory.z", "data.inventory.b"),
			policy: declared(),
			want: []string{
				"data.inventory.b: the plan holds its records, but the policy no longer declares it",
				"data.inventory.z: the plan holds its records, but the policy no longer declares it",
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := dataSourceProblems(tc.file, tc.policy); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// Under -not-found=error, a plan naming a call the exchange does not know
// is refused, but shown first; under the default it is a warning.
func TestPlanNotFound(t *testing.T) {
	tests := map[reconcile.NotFoundPolicy]Status{
		reconcile.NotFoundWarn:  StatusOK,
		reconcile.NotFoundError: StatusError,
	}
	for policy, want := range tests {
		t.Run(string(policy), func(t *testing.T) {
			f := newFixture(t, 0)
			f.writePolicy(t, `["c-1", "c-9"]`)
			req := &PlanRequest{Request: f.request()}
			req.NotFound = policy
			view := &recorder{}
			res := Plan(context.Background(), req, view)
			if res.Status != want {
				t.Errorf("status %d, want %d: %q", res.Status, want, view.summaries())
			}
			if len(view.plans) != 1 {
				t.Errorf("plan shown %d times, want once", len(view.plans))
			}
			var named bool
			for _, d := range view.diags {
				named = named || strings.Contains(d.Summary+d.Detail, "c-9")
			}
			if !named {
				t.Errorf("no diagnostic names c-9: %+v", view.diags)
			}
		})
	}
}
