package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func TestFormatForName(t *testing.T) {
	for name, want := range map[string]Format{
		"a.jsonl": JSONLines, "a.ndjson": JSONLines, "calls.log": JSONLines, "x": JSONLines,
		"a.json": JSON, "A.JSON": JSON, "dir.csv/a.csv": CSV,
	} {
		if got := FormatForName(name); got != want {
			t.Errorf("FormatForName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestValue checks how records become cty values: the union of keys,
// nulls where absent, a list when the types agree and a tuple when not.
func TestValue(t *testing.T) {
	num := func(s string) cty.Value { v, _ := cty.ParseNumberVal(s); return v }
	tests := map[string]struct {
		in   string
		want cty.Value
	}{
		"empty": {in: "", want: cty.ListValEmpty(cty.EmptyObject)},
		"same fields, list": {
			in: `{"id": "a", "n": 1}` + "\n" + `{"n": 2, "id": "b"}`,
			want: cty.ListVal([]cty.Value{
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("a"), "n": num("1")}),
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("b"), "n": num("2")}),
			}),
		},
		"missing field is a typed null": {
			in: `{"id": "a", "site": "lon"}` + "\n" + `{"id": "b"}`,
			want: cty.ListVal([]cty.Value{
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("a"), "site": cty.StringVal("lon")}),
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("b"), "site": cty.NullVal(cty.String)}),
			}),
		},
		"differing types give a tuple": {
			in: `{"id": 1}` + "\n" + `{"id": "b", "x": true}`,
			want: cty.TupleVal([]cty.Value{
				cty.ObjectVal(map[string]cty.Value{"id": num("1"), "x": cty.NullVal(cty.Bool)}),
				cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("b"), "x": cty.True}),
			}),
		},
		"big numbers keep every digit": {
			in:   `{"id": 123456789012345678901234567890}`,
			want: cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"id": num("123456789012345678901234567890")})}),
		},
		"nested values": {
			in: `{"tags": ["a", 1], "meta": {"k": null}}`,
			want: cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"tags": cty.TupleVal([]cty.Value{cty.StringVal("a"), num("1")}),
				"meta": cty.ObjectVal(map[string]cty.Value{"k": cty.NullVal(cty.DynamicPseudoType)}),
			})}),
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			recs, err := Parse([]byte(tt.in), JSONLines, "t", DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			got := Value(recs)
			if !got.RawEquals(tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	small := Limits{MaxLineBytes: 40, MaxBytes: 200, MaxRecords: 3}
	tests := map[string]struct {
		f    Format
		in   string
		lim  Limits
		want string
	}{
		"jsonl not object":  {JSONLines, "{}\n\n42\n", DefaultLimits, "src:3: not a JSON object"},
		"jsonl string":      {JSONLines, `"x"`, DefaultLimits, "src:1: not a JSON object"},
		"jsonl syntax":      {JSONLines, `{"a": }`, DefaultLimits, "src:1: invalid JSON: invalid character '}' looking for beginning of value"},
		"jsonl truncated":   {JSONLines, `{"a": "b"`, DefaultLimits, "src:1: invalid JSON: unexpected end of line"},
		"jsonl trailing":    {JSONLines, `{} x`, DefaultLimits, "src:1: text after the JSON object; put one object on each line"},
		"jsonl long line":   {JSONLines, "{}\n{\"a\": \"" + strings.Repeat("x", 40) + "\"}", small, "src:2: line longer than 40 bytes"},
		"jsonl many":        {JSONLines, "{}\n{}\n{}\n{}\n", small, "src:4: more than 3 records, the most an inventory may hold; filter it before callctl reads it"},
		"too big":           {JSONLines, strings.Repeat("{}\n", 100), small, "src: larger than 200 bytes, the most an inventory may hold; filter it before callctl reads it"},
		"json not array":    {JSON, `{"a": 1}`, DefaultLimits, `src:1: not a JSON array; a .json inventory is an array of objects (use format = "jsonl" for one object per line)`},
		"json element":      {JSON, "[{},\n\n  \"x\"]", DefaultLimits, "src:3: not a JSON object"},
		"json unterminated": {JSON, "[{},\n{}", DefaultLimits, "src:2: invalid JSON: unexpected end of line"},
		"json many":         {JSON, "[{},{},{},{}]", small, "src:1: more than 3 records"},
		"csv quote":         {CSV, "a,b\n1,\"2\n", DefaultLimits, "src:2: invalid CSV: extraneous or missing \" in quoted-field"},
		"csv fields":        {CSV, "a,b\n1,2\n3\n", DefaultLimits, "src:3: invalid CSV: this record has a different number of fields from the header row"},
		"csv long":          {CSV, "a\n" + strings.Repeat("x", 50) + "\n", small, "src:2: record longer than 40 bytes"},
		"csv utf8":          {CSV, "a\n\xff\n", DefaultLimits, "src: not valid UTF-8"},
		"unknown format":    {Format("yaml"), "", DefaultLimits, `src: unknown format "yaml"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), tt.f, "src", tt.lim)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q\nwant  %q", err, tt.want)
			}
		})
	}
}

func TestParseCSV(t *testing.T) {
	in := "\ufeffcall_id,note,n\r\n" + `c1,"he said ""hi""` + "\nbye\",18446744073709551617\r\nc2,Zürich ☎,\n"
	recs, err := Parse([]byte(in), CSV, "src", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{"call_id": "c1", "note": "he said \"hi\"\nbye", "n": "18446744073709551617"},
		{"call_id": "c2", "note": "Zürich ☎", "n": ""},
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// seedFromExample adds the example inventory's lines as seeds.
func seedFromExample(f *testing.F) []byte {
	data, err := os.ReadFile("../examples/standing/exports/dialer-calls.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// FuzzJSONLines: the reader never panics, reports errors with a line
// within the input, and what it accepts survives its own JSON-lines
// encoding (the saved-plan snapshot) unchanged.
func FuzzJSONLines(f *testing.F) {
	data := seedFromExample(f)
	f.Add(data)
	for _, line := range bytes.Split(data, []byte("\n")) {
		f.Add(line)
	}
	f.Add([]byte("{}\n[1]\n"))
	f.Add([]byte(`{"n": 1e999999, "s": "\ud800"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		lim := Limits{MaxLineBytes: 1 << 12, MaxBytes: 1 << 16, MaxRecords: 100}
		recs, err := Parse(in, JSONLines, "f", lim)
		if err != nil {
			checkErrorLine(t, err, in)
			return
		}
		roundTrip(t, recs, lim)
	})
}

// FuzzCSV: as FuzzJSONLines, for CSV.
func FuzzCSV(f *testing.F) {
	data := seedFromExample(f)
	var b bytes.Buffer
	b.WriteString("call_id,placed_at,note\n")
	for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var rec map[string]any
		if json.Unmarshal(line, &rec) == nil {
			b.WriteString(rec["call_id"].(string) + "," + rec["placed_at"].(string) + ",\"line " + string(rune('0'+i)) + "\n\"\"quoted\"\"\"\n")
		}
	}
	f.Add(b.Bytes())
	f.Add([]byte("a,b\n1\n"))
	f.Add([]byte("a\n\"unterminated\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		lim := Limits{MaxLineBytes: 1 << 12, MaxBytes: 1 << 16, MaxRecords: 100}
		recs, err := Parse(in, CSV, "f", lim)
		if err != nil {
			checkErrorLine(t, err, in)
			return
		}
		roundTrip(t, recs, lim)
	})
}

func checkErrorLine(t *testing.T, err error, in []byte) {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %v is %T, not *Error", err, err)
	}
	if lines := bytes.Count(in, []byte("\n")) + 1; e.Line < 0 || e.Line > lines {
		t.Fatalf("error at line %d of a %d-line input: %v", e.Line, lines, err)
	}
}

// roundTrip encodes records as JSON lines, as a saved plan's snapshot
// does, and checks they read back the same.
func roundTrip(t *testing.T, recs []Record, lim Limits) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	lim.MaxBytes *= 4
	lim.MaxLineBytes *= 4
	again, err := Parse(b.Bytes(), JSONLines, "snapshot", lim)
	if err != nil {
		t.Fatalf("snapshot does not read back: %v", err)
	}
	if want, got := Value(recs), Value(again); !got.RawEquals(want) {
		t.Fatalf("snapshot reads back differently:\n%#v\n%#v", want, got)
	}
}

// TestParseLarge covers inventories large enough to be decoded in
// chunks: order, line numbers and limits must be as for a small one.
func TestParseLarge(t *testing.T) {
	const n = 40_000 // about 2 MiB: several chunks
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"id": %d, "pad": "%s"}`+"\n", i, strings.Repeat("x", 40))
		if i%1000 == 0 {
			b.WriteString("\n") // blank lines shift line numbers
		}
	}
	data := b.Bytes()
	if len(data) < 2*parallelMin {
		t.Fatalf("input of %d bytes is too small to be chunked", len(data))
	}
	recs, err := Parse(data, JSONLines, "big", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("%d records, want %d", len(recs), n)
	}
	for i, r := range recs {
		if r["id"].(json.Number).String() != fmt.Sprint(i) {
			t.Fatalf("record %d has id %v", i, r["id"])
		}
	}
	v := Value(recs)
	if !v.Type().IsListType() || v.LengthInt() != n {
		t.Fatalf("value %s of length %d", v.Type().FriendlyName(), v.LengthInt())
	}

	// A bad line late in the input is reported at its own line number.
	lines := bytes.Split(data, []byte("\n"))
	bad := len(lines) - 100
	lines[bad] = []byte(`[1]`)
	lines[bad+50] = []byte(`"also bad"`)
	_, err = Parse(bytes.Join(lines, []byte("\n")), JSONLines, "big", DefaultLimits)
	if want := fmt.Sprintf("big:%d: not a JSON object", bad+1); err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}

	// The record limit counts across chunks.
	lim := DefaultLimits
	lim.MaxRecords = n - 1
	_, err = Parse(data, JSONLines, "big", lim)
	if want := fmt.Sprintf("big:%d: more than %d records", len(lines)-1, n-1); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want %s", err, want)
	}

	// Types merge across chunks: a field that is a string only near the
	// end makes a tuple, and one present only at the start is null later.
	recs, err = Parse(data, JSONLines, "big", DefaultLimits) // Value consumed them
	if err != nil {
		t.Fatal(err)
	}
	recs[n-1]["id"] = "last"
	recs[0]["first"] = true
	v = Value(recs)
	if !v.Type().IsTupleType() {
		t.Fatalf("value is %s, want a tuple", v.Type().FriendlyName())
	}
	if got := v.Index(cty.NumberIntVal(n - 2)).GetAttr("first"); !got.IsNull() || got.Type() != cty.Bool {
		t.Errorf("first on a late record is %#v, want a null bool", got)
	}
}

func TestValueConsumesRecords(t *testing.T) {
	recs := []Record{{"a": "x"}, {"a": "y"}}
	Value(recs)
	for i, r := range recs {
		if r != nil {
			t.Errorf("record %d still held after Value", i)
		}
	}
}
