package planfile

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/callctl/callctl/reconcile"
)

// bigFile is a plan of n calls, the scale issue 12 asks for.
func bigFile(n int) *File {
	f := goldenFileV2()
	at := time.Date(2026, 11, 26, 7, 0, 1, 0, time.UTC)
	f.Plan.Changes = make([]*reconcile.Change, n)
	for i := range n {
		id := fmt.Sprintf("call-%06d", i)
		f.Plan.Changes[i] = &reconcile.Change{Address: `end_call.stale["` + id + `"]`, Exchange: "corp", CallID: id, Reason: "dialer call older than 30 minutes", State: "Connected", Cause: "None", Action: reconcile.ActionDisconnect, ObservedAt: at}
	}
	return f
}

// BenchmarkEncode100k and BenchmarkDecode100k print what writing and
// strictly reading a 100,000-call plan cost.
func BenchmarkEncode100k(b *testing.B) {
	f := bigFile(100_000)
	key, _ := NewKey([]byte(testKey))
	for b.Loop() {
		enc, err := Encode(f, key)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(enc)))
	}
}

func BenchmarkDecode100k(b *testing.B) {
	key, _ := NewKey([]byte(testKey))
	enc, err := Encode(bigFile(100_000), key)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		f, err := Decode(bytes.NewReader(enc))
		if err != nil {
			b.Fatal(err)
		}
		if err := f.Verify(key); err != nil {
			b.Fatal(err)
		}
	}
}
