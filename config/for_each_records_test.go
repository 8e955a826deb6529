package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// recordsPolicy selects with a for expression straight in for_each, over
// ten records: one has a placed_at timecmp rejects, one a reason that
// fails, one is protected.
const recordsPolicy = `
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}
data "inventory" "dialer" {
  file = "calls.jsonl"
}
protect "desk" {
  call_ids = ["c-9"]
}
end_call "stale" {
  for_each = {
    for r in data.inventory.dialer.records : r.call_id => r
    if timecmp(r.placed_at, "2026-01-01T00:00:00Z") < 0
  }
  exchange = exchange.corp
  call_id  = each.value.call_id
  reason   = "stale call to ${each.value.dialled}"
}
`

func recordsInventory() string {
	var b strings.Builder
	for i := 0; i < 10; i++ {
		placed := `"2025-12-01T10:00:00Z"`
		dialled := `"+100` + fmt.Sprint(i) + `"`
		switch i {
		case 3:
			placed = `"yesterday"`
		case 5:
			dialled = `null`
		}
		fmt.Fprintf(&b, `{"call_id":"c-%d","placed_at":%s,"dialled":%s}`+"\n", i, placed, dialled)
	}
	return b.String()
}

// One bad record fails one call: the filter's error on record 3 and the
// reason's on record 5 each fail that instance only, naming the record
// and the file; the protected record is skipped; the other seven load.
func TestForEachRecordFailsAlone(t *testing.T) {
	fsys := fstest.MapFS{
		"main.hcl":    {Data: []byte(recordsPolicy)},
		"calls.jsonl": {Data: []byte(recordsInventory())},
	}
	pol, diags := NewLoader().LoadFS(fsys, ".", LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var ids []string
	for _, c := range pol.Calls {
		ids = append(ids, c.CallID)
	}
	if got := strings.Join(ids, ","); got != "c-0,c-1,c-2,c-4,c-6,c-7,c-8" {
		t.Errorf("calls %s", got)
	}
	if len(pol.Protected) != 1 {
		t.Errorf("protected %d, want 1", len(pol.Protected))
	}
	if len(pol.Failed) != 2 {
		t.Fatalf("failed %d, want 2: %+v", len(pol.Failed), pol.Failed)
	}
	byRecord := map[string]*FailedCall{}
	for _, f := range pol.Failed {
		byRecord[f.Record] = f
		if !f.Diagnostics.HasErrors() {
			t.Errorf("%s: no error diagnostic", f.Record)
		}
	}
	filter := byRecord["record 3 of data.inventory.dialer (file calls.jsonl)"]
	if filter == nil || filter.Address != "end_call.stale" || !strings.Contains(filter.Diagnostics.Error(), "record 3 of data.inventory.dialer (file calls.jsonl)") {
		t.Errorf("filter failure: %+v", filter)
	}
	reason := byRecord["record 5 of data.inventory.dialer (file calls.jsonl)"]
	if reason == nil || reason.Address != `end_call.stale["c-5"]` || !strings.Contains(reason.Diagnostics.Error(), `end_call.stale["c-5"]`) {
		t.Errorf("reason failure: %+v", reason)
	}
}

// evalForElements gives what HCL's own ForExpr evaluation gives, on input
// where no element fails.
func TestForElementsMatchesHCL(t *testing.T) {
	exprs := []string{
		`{ for r in var.recs : r.id => r }`,
		`{ for r in var.recs : r.id => r.n if r.n > 1 }`,
		`[ for r in var.recs : r.id ]`,
		`[ for i, r in var.recs : "${i}:${r.id}" if i != 1 ]`,
		`{ for r in var.recs : r.grp => r.id... }`,
		`{ for k, v in var.m : v => k }`,
		`{ for k, v in var.m : k => upper(v) if k != "b" }`,
		`[ for v in var.set : v ]`,
		`{ for r in var.recs : r.id => r if false }`,
		`[ for r in [] : r ]`,
		`{ for r in var.recs : r.id => r.n if var.unknown }`,
		`{ for r in var.secret : r => r }`,
	}
	recs := cty.TupleVal([]cty.Value{
		cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("a"), "n": cty.NumberIntVal(1), "grp": cty.StringVal("x")}),
		cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("b"), "n": cty.NumberIntVal(2), "grp": cty.StringVal("y")}),
		cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("c"), "n": cty.NumberIntVal(3), "grp": cty.StringVal("x")}),
	})
	vars := cty.ObjectVal(map[string]cty.Value{
		"recs":    recs,
		"m":       cty.MapVal(map[string]cty.Value{"a": cty.StringVal("p"), "b": cty.StringVal("q")}),
		"set":     cty.SetVal([]cty.Value{cty.StringVal("z"), cty.StringVal("y")}),
		"unknown": cty.UnknownVal(cty.Bool),
		"secret":  cty.ListVal([]cty.Value{cty.StringVal("s")}).Mark(sensitiveMark),
	})
	for _, src := range exprs {
		t.Run(src, func(t *testing.T) {
			expr, diags := hclsyntax.ParseExpression([]byte(src), "t.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			ld := &loadRun{varVal: vars, vars: map[string]*variableDecl{}}
			for name := range vars.Type().AttributeTypes() {
				ld.vars[name] = &variableDecl{name: name}
			}
			ld.funcs = ld.functions()
			want, wantDiags := expr.Value(ld.evalContext(nil))
			got, gotDiags := ld.evalForElements(expr.(*hclsyntax.ForExpr))
			if wantDiags.HasErrors() || gotDiags.HasErrors() || len(got.failures) > 0 {
				t.Fatalf("hcl %v, ours %v, failures %d", wantDiags, gotDiags, len(got.failures))
			}
			if !got.value.RawEquals(want) {
				t.Errorf("got %#v, hcl gives %#v", got.value, want)
			}
		})
	}
}

// An element whose condition, key or value fails is left out and named;
// the rest is what HCL gives without it. Errors in the collection stay
// errors of the whole expression.
func TestForElementsFailures(t *testing.T) {
	recs := cty.TupleVal([]cty.Value{
		cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("a"), "t": cty.StringVal("2025-01-01T00:00:00Z")}),
		cty.ObjectVal(map[string]cty.Value{"id": cty.NullVal(cty.String), "t": cty.NullVal(cty.String)}),
		cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("a"), "t": cty.StringVal("soon")}),
		cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("b"), "t": cty.StringVal("2025-01-01T00:00:00Z")}),
	})
	tests := []struct {
		src       string
		keys      string // the result's keys, comma-separated
		failures  string // failed records' indexes and summaries
		wholeFail string // an error of the whole expression
	}{
		{src: `{ for r in var.recs : r.id => r if timecmp(r.t, "2026-01-01T00:00:00Z") < 0 }`,
			keys: "a,b", failures: "1:Invalid function argument;2:Invalid function argument"},
		{src: `{ for r in var.recs : r.id => r }`,
			keys: "a,b", failures: "1:Invalid object key;2:Duplicate object key"},
		{src: `{ for r in var.recs : coalesce(r.id, "n") => upper(r.t) }`,
			keys: "a,b", failures: "1:Invalid function argument;2:Duplicate object key"},
		{src: `{ for r in var.recs : coalesce(r.id, "n") => r.t... }`,
			keys: "a,b,n"},
		{src: `[ for r in var.recs : length(r.id) ]`,
			failures: "1:Invalid function argument"},
		{src: `{ for r in var.recs : r.id => r if r.t }`,
			failures: "0:Invalid 'for' condition;1:Condition value is null;2:Invalid 'for' condition;3:Invalid 'for' condition"},
		{src: `{ for r in var.none : r => r }`, wholeFail: "Iteration over null value"},
		{src: `{ for r in "x" : r => r }`, wholeFail: "Iteration over non-iterable value"},
	}
	vars := cty.ObjectVal(map[string]cty.Value{"recs": recs, "none": cty.NullVal(cty.List(cty.String))})
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			expr, diags := hclsyntax.ParseExpression([]byte(tt.src), "t.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			ld := &loadRun{varVal: vars, vars: map[string]*variableDecl{"recs": {name: "recs"}, "none": {name: "none"}}}
			got, diags := ld.evalForElements(expr.(*hclsyntax.ForExpr))
			if tt.wholeFail != "" {
				if !diags.HasErrors() || diags[0].Summary != tt.wholeFail {
					t.Fatalf("diags %v, want %q", diags, tt.wholeFail)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			var failures []string
			for _, f := range got.failures {
				var i int
				fmt.Sscanf(f.record, "record %d", &i)
				failures = append(failures, fmt.Sprintf("%d:%s", i, f.diags[0].Summary))
			}
			if s := strings.Join(failures, ";"); s != tt.failures {
				t.Errorf("failures %q, want %q", s, tt.failures)
			}
			if got.value.Type().IsObjectType() {
				var keys []string
				for k := range got.value.Type().AttributeTypes() {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				if s := strings.Join(keys, ","); s != tt.keys {
					t.Errorf("keys %q, want %q", s, tt.keys)
				}
			}
		})
	}
}

// A for expression in a local that for_each names whole (the standing
// example's shape) fails its bad records alone too; used any other way,
// its bad records stay errors of the policy.
func TestForEachLocalRecordFailsAlone(t *testing.T) {
	viaLocal := strings.Replace(recordsPolicy, `  for_each = {
    for r in data.inventory.dialer.records : r.call_id => r
    if timecmp(r.placed_at, "2026-01-01T00:00:00Z") < 0
  }`, `  for_each = local.stale`, 1) + `
locals {
  stale = {
    for r in data.inventory.dialer.records : r.call_id => r
    if timecmp(r.placed_at, "2026-01-01T00:00:00Z") < 0
  }
}
`
	if viaLocal == recordsPolicy {
		t.Fatal("replacement failed")
	}
	fsys := fstest.MapFS{
		"main.hcl":    {Data: []byte(viaLocal)},
		"calls.jsonl": {Data: []byte(recordsInventory())},
	}
	pol, diags := NewLoader().LoadFS(fsys, ".", LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if len(pol.Calls) != 7 || len(pol.Failed) != 2 || len(pol.Protected) != 1 {
		t.Errorf("calls %d, failed %d, protected %d; want 7, 2, 1", len(pol.Calls), len(pol.Failed), len(pol.Protected))
	}

	elsewhere := strings.Replace(viaLocal, `for_each = local.stale`, `for_each = toset(keys(local.stale))`, 1)
	elsewhere = strings.Replace(elsewhere, `each.value.call_id`, `each.value`, 1)
	elsewhere = strings.Replace(elsewhere, `${each.value.dialled}`, `${each.value}`, 1)
	fsys["main.hcl"] = &fstest.MapFile{Data: []byte(elsewhere)}
	_, diags = NewLoader().LoadFS(fsys, ".", LoadOptions{})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "local.stale, record 3 of data.inventory.dialer (file calls.jsonl)") {
		t.Errorf("a local used otherwise: %v, want its bad record as an error", diags)
	}
}
