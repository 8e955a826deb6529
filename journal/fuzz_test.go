package journal

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzRead feeds Read hostile journals. Whatever the bytes, Read must not
// panic, must only ever fail with a *DamagedLinesError (the reader itself
// cannot fail), must account for every non-blank line exactly once (as an entry or as
// damaged), and the
// summary and table built from what it returns must render. Seeds live in
// testdata/fuzz/FuzzRead; the ones below are the cases every run covers.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"",
		lineStart + "\n" + lineIntent + "\n" + lineOutcome + "\n",
		lineStart + "\n" + lineIntent + "\n" + lineOutcome[:40],
		`{"v":1,"event":"intent","run":"r","call_id":"\u0000\u001b[31m","reason":"$(touch ~/pwned)"}` + "\n",
		`{"v":1,"event":"outcome","run":"r","outcome":"disconnected","time":"not a time"}` + "\n",
		`{"event":null}` + "\n" + `[[[[[[[[[[` + "\n" + "\xff\xfe\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Read(bytes.NewReader(data))
		var damaged *DamagedLinesError
		if err != nil && !errors.As(err, &damaged) {
			t.Fatalf("Read failed with %T: %v", err, err)
		}
		count := 0
		if damaged != nil {
			count = max(damaged.Count, len(damaged.Lines))
			if len(damaged.Lines) > maxDamagedListed {
				t.Errorf("kept %d damaged line numbers, want at most %d", len(damaged.Lines), maxDamagedListed)
			}
			if damaged.Error() == "" {
				t.Error("empty error message")
			}
		}
		lines := 0
		for _, l := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 || len(l) > maxLine {
				lines++
			}
		}
		if got := len(entries) + count; got != lines {
			t.Errorf("%d entries + %d damaged from %d non-blank lines", len(entries), count, lines)
		}
		for _, e := range entries {
			if e.Event == "" {
				t.Errorf("entry without an event: %+v", e)
			}
		}
		for _, st := range Summarize(entries) {
			if st.Resolved() && st.ResolvedBy == "" {
				t.Errorf("resolved without the run that resolved it: %+v", st)
			}
		}
	})
}

// BenchmarkReadOverLongLine reads a 64 MiB line with no newline: memory per
// op should stay near maxLine, not the line's size.
func BenchmarkReadOverLongLine(b *testing.B) {
	data := bytes.Repeat([]byte("x"), 64<<20)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data)); err == nil {
			b.Fatal("over-long line read without error")
		}
	}
}
