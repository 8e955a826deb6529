package inventory

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

func scaleInput(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"call_id": "dlr-%07d", "placed_at": "2026-06-01T11:%02d:00Z", "campaign": "outage-notify", "dialled": "+4416329%05d", "site": "lon"}`+"\n", i, i%60, i)
	}
	return b.Bytes()
}

// BenchmarkParseJSONLines and BenchmarkValue split an inventory load:
// decoding 100,000 lines, then building the records value.
func BenchmarkParseJSONLines(b *testing.B) {
	data := scaleInput(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, JSONLines, "b", DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValue(b *testing.B) {
	recs, err := Parse(scaleInput(100_000), JSONLines, "b", DefaultLimits)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		cp := slices.Clone(recs) // Value consumes its argument
		b.StartTimer()
		Value(cp)
	}
}

// BenchmarkValueJSONLines is what a data source load does with JSON
// lines: both steps above at once, without the intermediate records.
func BenchmarkValueJSONLines(b *testing.B) {
	data := scaleInput(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ValueJSONLines(data, "b", DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}
