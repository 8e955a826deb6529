package planfile

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Plan files are signed with a key that whoever plans and whoever applies
// hold, and nobody else: a CI secret, say. The signature is HMAC-SHA256,
// keyed with the key, of the file's digest (which is the SHA-256 of its
// canonical content): changing anything in a signed file but the
// signature, or re-signing without the key, makes Verify fail. The salt in
// the file keys nothing that matters: with a key, the variable fingerprints
// are keyed with one derived from it (VariableKey).

// Environment variables that supply the key. One of them, not both.
const (
	// KeyEnv holds the key itself.
	KeyEnv = "CALLCTL_PLAN_KEY"
	// KeyFileEnv names a file holding the key (a final newline is
	// dropped).
	KeyFileEnv = "CALLCTL_PLAN_KEY_FILE"
)

// MinKeyBytes is the shortest key accepted: a key is not a password, and a
// short one could be guessed from any signed file.
const MinKeyBytes = 32

// maxKeyFileBytes bounds a key file: a key file is not a data file.
const maxKeyFileBytes = 4096

const signatureAlgorithm = "hmac-sha256"

// Key signs and checks plan files.
type Key struct {
	secret []byte
	id     string
}

// NewKey returns a key for secret, which must be at least MinKeyBytes
// long.
func NewKey(secret []byte) (*Key, error) {
	if len(secret) < MinKeyBytes {
		return nil, fmt.Errorf("planfile: the plan key is %d bytes long; it must be at least %d (make one with \"openssl rand -hex 32\")", len(secret), MinKeyBytes)
	}
	k := &Key{secret: secret}
	// The id tells which key signed a file without revealing it: a MAC
	// of a fixed string, shortened.
	k.id = k.mac("callctl plan key id")[:16]
	return k, nil
}

// MaskForm returns the key as the text a program would print it in, only
// so that it can be masked in output callctl did not write (an inventory
// command's errors): never show or store it.
func (k *Key) MaskForm() string { return string(k.secret) }

// ID names the key in messages: the first 16 hex digits of a MAC of a
// fixed string. Two keys with the same id are (almost surely) the same.
func (k *Key) ID() string { return k.id }

func (k *Key) mac(parts ...string) string {
	m := hmac.New(sha256.New, k.secret)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// KeyFromEnviron returns the key that environ (os.Environ-style) names
// through KeyEnv or KeyFileEnv, or nil when neither is set.
func KeyFromEnviron(environ []string) (*Key, error) {
	var val, file string
	var hasVal, hasFile bool
	for _, kv := range environ {
		switch k, v, _ := strings.Cut(kv, "="); k {
		case KeyEnv:
			val, hasVal = v, v != ""
		case KeyFileEnv:
			file, hasFile = v, v != ""
		}
	}
	switch {
	case hasVal && hasFile:
		return nil, fmt.Errorf("planfile: both %s and %s are set; set one of them", KeyEnv, KeyFileEnv)
	case hasVal:
		k, err := NewKey([]byte(val))
		if err != nil {
			return nil, fmt.Errorf("%w (from %s)", err, KeyEnv)
		}
		return k, nil
	case hasFile:
		return keyFromFile(file)
	}
	return nil, nil
}

func keyFromFile(path string) (*Key, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("planfile: reading the plan key file named by %s: %w", KeyFileEnv, err)
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("planfile: reading the plan key file named by %s: %w", KeyFileEnv, err)
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxKeyFileBytes {
		return nil, fmt.Errorf("planfile: the plan key file %s named by %s is not a regular file of at most %d bytes", path, KeyFileEnv, maxKeyFileBytes)
	}
	b := make([]byte, fi.Size())
	if _, err := fh.ReadAt(b, 0); err != nil && fi.Size() > 0 {
		return nil, fmt.Errorf("planfile: reading the plan key file named by %s: %w", KeyFileEnv, err)
	}
	k, err := NewKey([]byte(strings.TrimRight(string(b), "\r\n")))
	if err != nil {
		return nil, fmt.Errorf("%w (from the file %s named by %s)", err, path, KeyFileEnv)
	}
	return k, nil
}

// Signature is a plan file's signature.
type Signature struct {
	Algorithm string
	// KeyID is the signing key's ID.
	KeyID string
	// Value is the hex HMAC-SHA256 of the digest.
	Value string
}

func (k *Key) sign(digest string) *Signature {
	return &Signature{Algorithm: signatureAlgorithm, KeyID: k.id, Value: k.mac("callctl plan signature", digest)}
}

// Errors of Verify.
var (
	ErrUnsigned     = errors.New("planfile: the plan file is not signed")
	ErrBadSignature = errors.New("planfile: the plan file's signature does not match its content")
	ErrWrongKey     = errors.New("planfile: the plan file was signed with another key")
)

// Verify checks f's signature with key: ErrUnsigned, ErrWrongKey (the
// key id differs) or ErrBadSignature when it does not hold.
func (f *File) Verify(key *Key) error {
	switch {
	case f.Signature == nil:
		return ErrUnsigned
	case f.Signature.KeyID != key.id:
		return ErrWrongKey
	}
	want := key.sign(f.digest)
	if !hmac.Equal([]byte(want.Value), []byte(f.Signature.Value)) {
		return ErrBadSignature
	}
	return nil
}

// VariableKey is the hex key the variable and exchange fingerprints of a
// plan are keyed with: the salt alone for an unsigned plan, a MAC of the
// salt with the plan key for a signed one. Without the key, the
// fingerprints of a signed plan cannot be recomputed, nor a guessed
// secret checked against them; those of an unsigned plan can.
func VariableKey(salt string, key *Key) string {
	if key == nil {
		return salt
	}
	return key.mac("callctl variable fingerprints", salt)
}
