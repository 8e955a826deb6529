// Package planfile saves a plan so that "callctl apply FILE" can carry out
// exactly what a reviewer saw, and can tell when the policy has changed
// since. A plan file holds call ids, states and fingerprints of the inputs;
// never a credential, a token or a variable's value.
package planfile

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/callctl/callctl/internal/atomicfile"
	"github.com/callctl/callctl/reconcile"
)

// FormatVersion is the version of the file layout. Readers refuse other
// major versions.
const FormatVersion = "1"

// File is a saved plan.
type File struct {
	FormatVersion  string
	CallctlVersion string
	CreatedAt      time.Time
	// Inputs fingerprints what the plan was made from.
	Inputs Inputs
	// Plan is the plan as made, with each call's observed state and the
	// time of its lookup.
	Plan *reconcile.Plan
	// PolicyDir is the policy directory the plan was made for: relative
	// to the plan file's directory when it can be (so that the two can
	// move together), else absolute. Empty in plans made before it was
	// recorded, which are applied wherever callctl runs.
	PolicyDir string
}

// Inputs records how a plan was made, so that apply can reload the same
// policy and check nothing changed.
type Inputs struct {
	// PolicyHash covers every source file and every variable value.
	PolicyHash string
	// Sources maps each policy and var-file path to the sha256 of its
	// content, to say which changed.
	Sources map[string]string
	// Salt keys the variable fingerprints (hex, random per plan).
	Salt string
	// Variables maps each variable to HMAC-SHA256(Salt, value): values may
	// be secrets, so they are never stored, nor hashed without a key.
	Variables map[string]string
	// Exchanges maps each exchange to a keyed hash of its URL, dialect,
	// server version, TLS settings and auth kind and user (no secret).
	Exchanges map[string]string
	// VarFiles are the -var-file paths the plan was made with, loaded
	// again at apply. -var values of variables declared sensitive are not
	// kept: such a plan can only be applied if the values come back
	// through CALLCTL_VAR_ environment variables, which the variable
	// fingerprints check.
	VarFiles []string
	// Vars are the -var assignments, less those of sensitive variables.
	Vars     []string
	Targets  []string
	Excludes []string
}

// Hash returns the sha256 hex of b.
func Hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// NewSalt returns a random key for KeyedHash.
func NewSalt() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("%w", err)
	}
	return hex.EncodeToString(b), nil
}

// KeyedHash returns HMAC-SHA256 of b keyed with the hex salt.
func KeyedHash(salt string, b []byte) string {
	key, _ := hex.DecodeString(salt)
	mac := hmac.New(sha256.New, key)
	mac.Write(b)
	return hex.EncodeToString(mac.Sum(nil))
}

// Fingerprint completes in: it fills PolicyHash from Sources and
// Variables.
func (in *Inputs) Fingerprint() {
	h := sha256.New()
	for _, group := range []map[string]string{in.Sources, in.Variables, in.Exchanges} {
		keys := make([]string, 0, len(group))
		for k := range group {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(h, "%q=%s\n", k, group[k])
		}
		h.Write([]byte{0})
	}
	in.PolicyHash = hex.EncodeToString(h.Sum(nil))
}

// Changes lists what differs between the inputs a plan was made from (in)
// and the current ones (now), in words for the "stale plan" error.
func (in *Inputs) Changes(now *Inputs) []string {
	var out []string
	diff := func(kind string, was, is map[string]string) {
		for _, k := range sortedKeys(was) {
			switch v, ok := is[k]; {
			case !ok:
				out = append(out, fmt.Sprintf("%s %q was removed", kind, k))
			case v != was[k]:
				out = append(out, fmt.Sprintf("%s %q changed", kind, k))
			}
		}
		for _, k := range sortedKeys(is) {
			if _, ok := was[k]; !ok {
				out = append(out, fmt.Sprintf("%s %q was added", kind, k))
			}
		}
	}
	diff("file", in.Sources, now.Sources)
	diff("variable", in.Variables, now.Variables)
	diff("exchange", in.Exchanges, now.Exchanges)
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Write saves f to path with mode 0600, atomically: a crash leaves the old
// file or the new one, never half of one, and a symbolic link at path is
// replaced rather than written through.
func Write(path string, f *File) error {
	f.FormatVersion = FormatVersion
	b, err := Encode(f)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, b, 0o600); err != nil {
		return fmt.Errorf("planfile: writing %s: %w", path, err)
	}
	return nil
}

// Encode returns f in the on-disk format (see wireFile), indented, with a
// final newline.
func Encode(f *File) ([]byte, error) {
	b, err := json.MarshalIndent(toWire(f), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("planfile: encoding plan: %w", err)
	}
	return append(b, '\n'), nil
}

// ErrNotPlanFile is returned for a file that is not a callctl plan.
var ErrNotPlanFile = errors.New("not a callctl plan file")

// Read loads a saved plan.
func Read(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w", err)
	}
	return Decode(bytes.NewReader(b))
}

// Decode reads a saved plan from r.
func Decode(r io.Reader) (*File, error) {
	var w wireFile
	dec := json.NewDecoder(r)
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotPlanFile, err)
	}
	if w.FormatVersion == "" || w.Plan == nil {
		return nil, ErrNotPlanFile
	}
	if w.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("plan file format %q is not supported by this callctl (it reads format %q); make the plan again with this version", w.FormatVersion, FormatVersion)
	}
	return fromWire(&w), nil
}
