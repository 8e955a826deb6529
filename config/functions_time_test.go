package config

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// loadReasons loads a one-exchange policy whose end_call "t" has the
// given reason expression, and returns the reason and the policy.
func loadReason(t *testing.T, reason string, opts LoadOptions) (string, *Policy, hcl.Diagnostics) {
	t.Helper()
	src := `
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}
end_call "t" {
  exchange = exchange.corp
  call_id  = "id"
  reason   = ` + reason + `
}
`
	pol, diags := NewLoader().LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(src)}}, ".", opts)
	if diags.HasErrors() {
		return "", pol, diags
	}
	return pol.Calls[0].Reason, pol, diags
}

func TestTimeFunctions(t *testing.T) {
	fixed := LoadOptions{Environ: []string{PlanTimestampEnv + "=2026-03-04T05:06:07Z"}}
	tests := map[string]struct {
		reason string
		opts   LoadOptions
		want   string
		err    string
	}{
		"plantimestamp from the env hook": {reason: `plantimestamp()`, opts: fixed, want: "2026-03-04T05:06:07Z"},
		"timestamp follows a fixed clock": {reason: `timestamp()`, opts: fixed, want: "2026-03-04T05:06:07Z"},
		"option wins over the env": {
			reason: `plantimestamp()`,
			opts:   LoadOptions{Environ: fixed.Environ, PlanTimestamp: time.Date(2030, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))},
			want:   "2030-01-02T02:04:05Z",
		},
		"timeadd":                {reason: `timeadd(plantimestamp(), "-30m")`, opts: fixed, want: "2026-03-04T04:36:07Z"},
		"timecmp before":         {reason: `tostring(timecmp("2026-03-04T04:00:00Z", plantimestamp()))`, opts: fixed, want: "-1"},
		"timecmp across offsets": {reason: `tostring(timecmp("2026-03-04T06:06:07+01:00", plantimestamp()))`, opts: fixed, want: "0"},
		"timecmp after":          {reason: `tostring(timecmp("2027-01-01T00:00:00Z", "2026-12-31T23:59:59.5Z"))`, want: "1"},
		"formatdate":             {reason: `formatdate("DD MMM YYYY hh:mm", plantimestamp())`, opts: fixed, want: "04 Mar 2026 05:06"},
		"timecmp bad timestamp":  {reason: `tostring(timecmp("yesterday", plantimestamp()))`, err: `not a valid RFC 3339 timestamp: "yesterday"`},
		"env warns":              {reason: `"x"`, opts: fixed, err: "WARNING Clock fixed by CALLCTL_PLAN_TIMESTAMP: plantimestamp() and timestamp() return 2026-03-04T05:06:07Z"},
		"bad env timestamp":      {reason: `"x"`, opts: LoadOptions{Environ: []string{PlanTimestampEnv + "=noon"}}, err: "Invalid CALLCTL_PLAN_TIMESTAMP"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, _, diags := loadReason(t, tt.reason, tt.opts)
			var text []string
			for _, d := range diags {
				text = append(text, fmt.Sprintf("%s %s: %s", severityName(d.Severity), d.Summary, d.Detail))
			}
			if tt.err != "" {
				if !strings.Contains(strings.Join(text, "\n"), tt.err) {
					t.Fatalf("diagnostics %q do not contain %q", text, tt.err)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPlanTimestampOncePerRun: every plantimestamp() call in a run sees
// the same instant, and the policy records it.
func TestPlanTimestampOncePerRun(t *testing.T) {
	got, pol, diags := loadReason(t, `"${plantimestamp()} ${plantimestamp()}"`, LoadOptions{})
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	a, b, _ := strings.Cut(got, " ")
	if a != b || a != pol.PlanTimestamp.Format(time.RFC3339) {
		t.Errorf("plantimestamp gave %q and %q; policy recorded %s", a, b, pol.PlanTimestamp)
	}
}

func TestLocals(t *testing.T) {
	src := `
variable "site" {
  default = "lon"
}
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}
locals {
  ids    = [for i in range(local.count) : "${local.prefix}-${i}"]
  prefix = upper(var.site)
}
locals {
  count = 2
}
end_call "x" {
  for_each = toset(local.ids)
  exchange = exchange.corp
  call_id  = each.key
  reason   = local.prefix
}
`
	pol, diags := NewLoader().LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(src)}}, ".", LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff(map[string]string{"LON-0": "LON", "LON-1": "LON"}, callReasons(pol)); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestLocalsCycleMessage(t *testing.T) {
	src := `
locals {
  a = local.b
  b = "${local.c}x"
  c = local.a
}
`
	_, diags := NewLoader().LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(src)}}, ".", LoadOptions{})
	var cycles []string
	for _, d := range diags {
		if d.Summary == "Cycle in local values" {
			cycles = append(cycles, d.Detail)
		}
	}
	want := []string{`The local value "a" refers to itself through local.a -> local.b -> local.c -> local.a. Break the cycle by computing one of them without the others.`}
	if diff := cmp.Diff(want, cycles); diff != "" {
		t.Errorf("cycle diagnostics (-want +got):\n%s", diff)
	}
}

func TestExchangePerRecord(t *testing.T) {
	src := `
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}
exchange "lon" {
  url = "https://mail.lon.example/EWS/Exchange.asmx"
}
locals {
  calls = { "a" = "lon", "b" = "nyc", "c" = "lon" }
}
end_call "x" {
  for_each = local.calls
  exchange = each.value == "lon" ? exchange.lon : exchange.corp
  call_id  = each.key
}
`
	pol, diags := NewLoader().LoadFS(fstest.MapFS{"main.hcl": {Data: []byte(src)}}, ".", LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got := map[string]string{}
	for _, c := range pol.Calls {
		got[c.CallID] = c.Exchange
	}
	if diff := cmp.Diff(map[string]string{"a": "lon", "b": "corp", "c": "lon"}, got); diff != "" {
		t.Errorf("exchanges (-want +got):\n%s", diff)
	}
}
