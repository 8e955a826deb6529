package arguments

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
)

func defaultOp() Operation {
	return Operation{Parallelism: 10, MaxDisconnects: -1, Timeout: 8 * time.Second, MaxBackoff: 5 * time.Minute, NotFound: "warn", Input: true}
}

func TestParsePlan(t *testing.T) {
	tests := map[string]struct {
		args    []string
		want    *Plan
		wantErr string
	}{
		"defaults": {nil, &Plan{Operation: defaultOp()}, ""},
		"vars keep their order": {
			[]string{"-var", "a=1", "-var-file=x.vars", "-var=b=2", "-var-file", "y.vars"},
			&Plan{Operation: func() Operation {
				o := defaultOp()
				o.Vars = Vars{Vars: []string{"a=1", "b=2"}, VarFiles: []string{"x.vars", "y.vars"}, Args: []config.VarArg{
					{Value: "a=1"}, {File: true, Value: "x.vars"}, {Value: "b=2"}, {File: true, Value: "y.vars"},
				}}
				return o
			}()}, "",
		},
		"everything": {
			[]string{"-parallelism=3", "-target=end_call.a", "-exclude", `end_call.b["x"]`, "-max-disconnects=5", "-no-color", "-json", "-out=p.plan", "-detailed-exitcode"},
			&Plan{Operation: Operation{Parallelism: 3, Targets: []string{"end_call.a"}, Excludes: []string{`end_call.b["x"]`}, MaxDisconnects: 5, NoColor: true, ViewType: ViewJSON, Timeout: 8 * time.Second, MaxBackoff: 5 * time.Minute, NotFound: "warn", Input: true}, Out: "p.plan", DetailedExitCode: true}, "",
		},
		"bad var":          {[]string{"-var", "novalue"}, nil, "Failed to parse command-line flags"},
		"zero parallelism": {[]string{"-parallelism=0"}, nil, "Invalid parallelism"},
		"negative cap":     {[]string{"-max-disconnects=-2"}, nil, "Invalid -max-disconnects"},
		"not-found error": {[]string{"-not-found=error"}, &Plan{Operation: func() Operation {
			o := defaultOp()
			o.NotFound = "error"
			return o
		}()}, ""},
		"not-found typo":    {[]string{"-not-found=fail"}, nil, "Invalid -not-found"},
		"zero timeout":      {[]string{"-timeout=0"}, nil, "Invalid -timeout"},
		"negative deadline": {[]string{"-deadline=-1s"}, nil, "Invalid -deadline"},
		"timeouts": {
			[]string{"-timeout=5s", "-deadline=10m", "-max-backoff=1m"},
			&Plan{Operation: func() Operation {
				o := defaultOp()
				o.Timeout, o.Deadline, o.MaxBackoff = 5*time.Second, 10*time.Minute, time.Minute
				return o
			}()}, "",
		},
		"unknown flag":       {[]string{"-auto-approve"}, nil, "Failed to parse command-line flags"},
		"positional refused": {[]string{"somedir"}, nil, "Too many command line arguments"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) { checkParse(t, ParsePlan, tc.args, tc.want, tc.wantErr) })
	}
}

func TestParseApply(t *testing.T) {
	tests := map[string]struct {
		args    []string
		want    *Apply
		wantErr string
	}{
		"fresh plan":                        {[]string{"-auto-approve"}, &Apply{Operation: defaultOp(), AutoApprove: true}, ""},
		"saved plan":                        {[]string{"-parallelism=2", "p.plan"}, &Apply{Operation: Operation{Parallelism: 2, MaxDisconnects: -1, Timeout: 8 * time.Second, MaxBackoff: 5 * time.Minute, NotFound: "warn", Input: true}, PlanFile: "p.plan"}, ""},
		"saved plan refuses planning flags": {[]string{"-var=a=1", "-target=end_call.x", "p.plan"}, nil, "Can't set planning options with a saved plan"},
		"two files":                         {[]string{"a.plan", "b.plan"}, nil, "Too many command line arguments"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) { checkParse(t, ParseApply, tc.args, tc.want, tc.wantErr) })
	}
}

func TestParseFmtAndShow(t *testing.T) {
	f, diags := ParseFmt([]string{"-check", "-recursive", "a", "b"})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if want := (&Fmt{Paths: []string{"a", "b"}, Check: true, Recursive: true, List: true}); !cmp.Equal(want, f) {
		t.Errorf("fmt: %s", cmp.Diff(want, f))
	}
	if _, diags := ParseShow(nil); !diags.HasErrors() {
		t.Error("show without a file: no error")
	}
	if _, diags := ParseShow([]string{"-format=html", "p"}); !diags.HasErrors() {
		t.Error("show -format=html: no error")
	}
	s, diags := ParseShow([]string{"-format=markdown", "p.plan"})
	if diags.HasErrors() || s.Format != "markdown" || s.Path != "p.plan" {
		t.Errorf("show: %+v %v", s, diags)
	}
}

// checkParse runs a Parse function and compares its result with want, or
// its first error's summary with wantErr.
func checkParse[T any](t *testing.T, parse func([]string) (T, hcl.Diagnostics), args []string, want T, wantErr string) {
	t.Helper()
	got, diags := parse(args)
	if wantErr != "" {
		if !diags.HasErrors() || diags[0].Summary != wantErr {
			t.Fatalf("diags = %v, want %q", diags, wantErr)
		}
		return
	}
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmp.AllowUnexported(Apply{})); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestDurationWithoutUnit checks that a bare number for a duration flag
// says to add a unit, where Go's flag package says only "parse error".
func TestDurationWithoutUnit(t *testing.T) {
	tests := map[string]struct {
		args []string
		want string
	}{
		"bare number":   {[]string{"-timeout=30"}, "use a unit, e.g. -timeout=30s"},
		"other garbage": {[]string{"-max-backoff=soon"}, "-max-backoff takes a duration with a unit, e.g. 5s"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, diags := ParsePlan(tt.args)
			if len(diags) != 1 || !strings.Contains(diags[0].Detail, tt.want) {
				t.Errorf("want one diagnostic whose detail contains %q, got %v", tt.want, diags)
			}
		})
	}
}

// Flags show cannot honour together are usage errors, not silently
// dropped; -journal -json is a JSON document.
func TestParseShowCombinations(t *testing.T) {
	tests := map[string]struct {
		args    []string
		want    *Show
		wantErr string
	}{
		"json and markdown":   {[]string{"-json", "-format=markdown", "p.plan"}, nil, "Conflicting output formats"},
		"journal as markdown": {[]string{"-journal", "-format=markdown"}, nil, "Unsupported output format for the journal"},
		"journal as json":     {[]string{"-journal", "-json"}, &Show{Journal: true, ViewType: ViewJSON}, ""},
		"plan as json":        {[]string{"-json", "p.plan"}, &Show{Path: "p.plan", ViewType: ViewJSON}, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) { checkParse(t, ParseShow, tc.args, tc.want, tc.wantErr) })
	}
}
