package inventory

import (
	"bytes"
	"testing"
)

// The output buffer keeps exactly what was written, up to and including
// max bytes, across chunk boundaries, and refuses the byte past max.
func TestLimitedBuffer(t *testing.T) {
	const max = 3*firstChunk + 17
	want := bytes.Repeat([]byte("0123456789abcdef"), max/16+1)[:max]
	b := &limitedBuffer{max: max}
	for p := want; len(p) > 0; {
		k := min(len(p), 7777)
		if n, err := b.Write(p[:k]); n != k || err != nil {
			t.Fatalf("Write(%d bytes) = %d, %v", k, n, err)
		}
		p = p[k:]
	}
	if b.overflow {
		t.Fatal("overflow at exactly max bytes")
	}
	if _, err := b.Write([]byte{'x'}); err == nil || !b.overflow {
		t.Fatal("a byte past max was taken")
	}
	if got := b.Bytes(); !bytes.Equal(got, want) {
		t.Fatalf("Bytes: %d bytes, want %d, equal %v", len(got), len(want), bytes.Equal(got, want))
	}
}
