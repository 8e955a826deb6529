package planfile

import (
	"bytes"
	"testing"
)

// A plan key is at least MinKeyBytes long: one byte less is refused,
// MinKeyBytes accepted.
func TestKeyLength(t *testing.T) {
	if _, err := NewKey(bytes.Repeat([]byte("k"), MinKeyBytes-1)); err == nil {
		t.Errorf("a key of %d bytes is accepted", MinKeyBytes-1)
	}
	if _, err := NewKey(bytes.Repeat([]byte("k"), MinKeyBytes)); err != nil {
		t.Errorf("a key of %d bytes: %v", MinKeyBytes, err)
	}
}
