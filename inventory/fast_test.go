package inventory

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unsafe"

	"github.com/zclconf/go-cty/cty"
)

func TestFastObject(t *testing.T) {
	tests := map[string]struct {
		in     string
		accept bool
	}{
		"flat":            {`{"call_id": "c1", "n": -12.5e+3, "ok": true, "no": false, "x": null}`, true},
		"empty":           {`{}`, true},
		"no spaces":       {`{"a":"b","c":0}`, true},
		"duplicate key":   {`{"a": "1", "a": "2"}`, true},
		"unicode":         {`{"note": "Zürich ☎"}`, true},
		"escape":          {`{"a": "x\"y"}`, false},
		"escaped key":     {`{"a\u0062": 1}`, false},
		"nested object":   {`{"a": {"b": 1}}`, false},
		"array":           {`{"a": [1]}`, false},
		"leading zero":    {`{"a": 01}`, false},
		"bare dot":        {`{"a": 1.}`, false},
		"plus sign":       {`{"a": +1}`, false},
		"trailing comma":  {`{"a": 1,}`, false},
		"trailing text":   {`{"a": 1} x`, false},
		"control char":    {"{\"a\": \"x\ty\"}", false},
		"bad utf-8":       {"{\"a\": \"\xff\"}", false},
		"not object":      {`[1]`, false},
		"unterminated":    {`{"a": "b"`, false},
		"huge exponent":   {`{"a": 1e999999999999}`, false},
		"true misspelled": {`{"a": tru}`, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			obj, ok := fastObject([]byte(tt.in), newInterner(false))
			if ok != tt.accept {
				t.Fatalf("fastObject(%s) ok = %v, want %v", tt.in, ok, tt.accept)
			}
			if !ok {
				return
			}
			rec, err := decodeObject([]byte(tt.in))
			if err != nil {
				t.Fatalf("fastObject accepted what decodeObject refuses: %v", err)
			}
			if want, got := cty.ObjectVal(convertRecord(rec)), cty.ObjectVal(obj); !got.RawEquals(want) {
				t.Errorf("fastObject = %#v\nwant %#v", got, want)
			}
		})
	}
}

// TestFastObjectInterns: records of one chunk share their field names and
// short repeated values instead of each holding copies.
func TestFastObjectInterns(t *testing.T) {
	in := newInterner(false)
	a, _ := fastObject([]byte(`{"campaign": "outage-notify"}`), in)
	b, _ := fastObject([]byte(`{"campaign": "outage-notify"}`), in)
	var ka, kb string
	for k := range a {
		ka = k
	}
	for k := range b {
		kb = k
	}
	if unsafeData(ka) != unsafeData(kb) {
		t.Error("field names are not shared")
	}
	if sa, sb := a["campaign"].AsString(), b["campaign"].AsString(); unsafeData(sa) != unsafeData(sb) {
		t.Error("repeated values are not shared")
	}
}

// TestValueJSONLinesInPlace: strings point into the input, which the
// caller keeps; ValueJSONLines copies them.
func TestValueJSONLinesInPlace(t *testing.T) {
	data := []byte(`{"call_id": "a-call-id-longer-than-the-interned-values"}` + "\n")
	within := func(v cty.Value) bool {
		s := v.AsValueSlice()[0].GetAttr("call_id").AsString()
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		start := uintptr(unsafe.Pointer(&data[0]))
		return p >= start && p < start+uintptr(len(data))
	}
	v, _, err := ValueJSONLinesInPlace(data, "src", DefaultLimits)
	if err != nil || !within(v) {
		t.Errorf("in place: err %v, string inside the input %v; want nil, true", err, err == nil && within(v))
	}
	v, _, err = ValueJSONLines(data, "src", DefaultLimits)
	if err != nil || within(v) {
		t.Errorf("copying: err %v, string inside the input %v; want nil, false", err, err == nil && within(v))
	}
}

// valueViaParse is what ValueJSONLines must equal: the general path.
func valueViaParse(data []byte, lim Limits) (cty.Value, int, error) {
	recs, err := Parse(data, JSONLines, "src", lim)
	if err != nil {
		return cty.NilVal, 0, err
	}
	n := len(recs)
	return Value(recs), n, nil
}

func checkSameValue(t *testing.T, in []byte, lim Limits) {
	t.Helper()
	want, wantN, wantErr := valueViaParse(in, lim)
	for name, f := range map[string]func([]byte, string, Limits) (cty.Value, int, error){
		"ValueJSONLines": ValueJSONLines, "ValueJSONLinesInPlace": ValueJSONLinesInPlace,
	} {
		got, gotN, gotErr := f(bytes.Clone(in), "src", lim)
		if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
			t.Fatalf("%s: error %v, want %v", name, gotErr, wantErr)
		}
		if wantErr != nil {
			continue
		}
		if gotN != wantN {
			t.Errorf("%s: %d records, want %d", name, gotN, wantN)
		}
		if !got.RawEquals(want) {
			t.Errorf("%s: value differs from the general path's\n got %#v\nwant %#v", name, got, want)
		}
	}
}

func TestValueJSONLinesMatchesParse(t *testing.T) {
	example, err := readExample()
	if err != nil {
		t.Fatal(err)
	}
	small := Limits{MaxLineBytes: 40, MaxBytes: 200, MaxRecords: 3}
	tests := map[string]struct {
		in  string
		lim Limits
	}{
		"example":        {string(example), DefaultLimits},
		"empty":          {"\n\n", DefaultLimits},
		"mixed types":    {`{"a": 1}` + "\n" + `{"a": "x", "b": null}` + "\n" + `{"c": {"d": [1, "x"]}}`, DefaultLimits},
		"escapes":        {`{"a": "q\"\u00e9", "b": 1}` + "\n" + `{"a": "plain", "b": 2}`, DefaultLimits},
		"only null":      {`{"a": null}` + "\n" + `{"b": 1}`, DefaultLimits},
		"huge number":    {`{"n": 1e999999, "m": 18446744073709551617}`, DefaultLimits},
		"not object":     {"{}\n\n42\n", DefaultLimits},
		"syntax":         {`{"a": }`, DefaultLimits},
		"trailing":       {`{} x`, DefaultLimits},
		"long line":      {"{}\n{\"a\": \"" + strings.Repeat("x", 40) + "\"}", small},
		"many":           {"{}\n{}\n{}\n{}\n", small},
		"too big":        {strings.Repeat("{}\n", 100), small},
		"large parallel": {string(scaleInput(30_000)), DefaultLimits},
		"large error":    {string(scaleInput(30_000)) + "{\"a\": 1\n" + string(scaleInput(10)), DefaultLimits},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) { checkSameValue(t, []byte(tt.in), tt.lim) })
	}
}

// FuzzValueJSONLines: the fast decoder gives exactly what encoding/json
// and the general conversion give, errors included.
func FuzzValueJSONLines(f *testing.F) {
	data := seedFromExample(f)
	f.Add(data)
	for _, line := range bytes.Split(data, []byte("\n")) {
		f.Add(line)
	}
	f.Add([]byte(`{"a": 1, "a": "x"}` + "\n" + `{"b": -0.5E-3, "c": true, "d": null}`))
	f.Add([]byte(`{"n": 1e999999, "s": "\ud800"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		checkSameValue(t, in, Limits{MaxLineBytes: 1 << 12, MaxBytes: 1 << 16, MaxRecords: 100})
	})
}

func unsafeData(s string) *byte { return unsafe.StringData(s) }

func readExample() ([]byte, error) {
	return os.ReadFile("../examples/standing/exports/dialer-calls.jsonl")
}
