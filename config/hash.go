package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Hash is a stable sha256 hex digest of the policy's intent: its source
// files, by name relative to Dir in sorted order, and its resolved
// variable values. Moving the directory does not change it; editing a
// file or setting a variable differently does. Credentials read with env()
// are not part of it, so rotating a password keeps a plan valid.
//
// A sensitive variable contributes only the sha256 of its value, so the
// digest's input never holds a secret in clear.
func (p *Policy) Hash() string {
	h := sha256.New()
	for _, name := range mapKeys(p.Sources) {
		writeRecord(h, "file", name, p.Sources[name])
	}
	for _, name := range mapKeys(p.Variables) {
		data := valueBytes(p.Variables[name])
		if p.Sensitive[name] {
			sum := sha256.Sum256(data)
			data = sum[:]
		}
		writeRecord(h, "var", name, data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// writeRecord length-prefixes each record so that no two different
// policies can produce the same byte stream.
func writeRecord(h hash.Hash, kind, name string, data []byte) {
	fmt.Fprintf(h, "%s %q %d\n", kind, name, len(data))
	h.Write(data)
}

// valueBytes is a canonical encoding of a value with its type, so that
// "1" and 1 differ.
func valueBytes(v cty.Value) []byte {
	data, err := ctyjson.Marshal(v, cty.DynamicPseudoType)
	if err != nil {
		// Only unknown or marked values fail, and Load never resolves a
		// variable to one; keep the hash total anyway.
		return []byte(v.GoString())
	}
	return data
}
