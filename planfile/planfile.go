// Package planfile saves a plan so that "callctl apply FILE" can carry out
// exactly what a reviewer saw, and can tell when the policy has changed
// since. A plan file holds call ids, states, fingerprints of the inputs
// and the records each data source gave; never a credential, a token or
// a sensitive variable's value.
//
// A plan file is only as trustworthy as the way it travels: anyone who can
// write it can make it say anything consistent with itself. Signing (see
// Key) is what lets apply tell a file that was changed after it was made;
// an unsigned file is checked for consistency with the policy only.
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
	"strconv"
	"time"

	"github.com/callctl/callctl/internal/atomicfile"
	"github.com/callctl/callctl/reconcile"
)

// FormatVersion is the version of the file layout written: 3 stores the
// digest, so that an edit that does not recompute it is refused. Readers
// also load version 2 (the same layout without the digest) and version 1,
// unsigned (see wire_v1.go); they refuse other versions.
const FormatVersion = "3"

// formatV2 is the layout before the stored digest.
const formatV2 = "2"

// ErrDigestMismatch is returned for a version 3 file whose content does
// not match the digest it stores: it was edited after it was written.
var ErrDigestMismatch = errors.New("the plan's content does not match the digest it stores")

// File is a saved plan.
type File struct {
	FormatVersion  string
	CallctlVersion string
	CreatedAt      time.Time
	// PlanTimestamp is the instant plantimestamp() returned while the
	// plan was made; apply loads the policy with it. Zero in version 1.
	PlanTimestamp time.Time
	// Inputs fingerprints what the plan was made from.
	Inputs Inputs
	// DataSources are the records each data source gave the plan, which
	// apply uses instead of reading the source again.
	DataSources []DataSnapshot
	// Plan is the plan as made, with each call's observed state and the
	// time of its lookup.
	Plan *reconcile.Plan
	// PolicyDir is the policy directory the plan was made for: relative
	// to the plan file's directory when it can be (so that the two can
	// move together), else absolute. Empty in plans made before it was
	// recorded, which are applied wherever callctl runs.
	PolicyDir string

	// Signature is the file's signature: set by Encode when given a key,
	// and by Decode from the file. Nil means unsigned.
	Signature *Signature

	// digest is the digest of the file's content, fixed when it was
	// encoded or decoded (see Digest).
	digest string
}

// DataSnapshot is what one data source gave a plan.
type DataSnapshot struct {
	// Address is the data source's address, data.inventory.NAME.
	Address string
	// Records is how many records Snapshot holds, for display and as a
	// check when they are read back.
	Records int
	// Snapshot is the records as JSON lines.
	Snapshot []byte
}

// Inputs records how a plan was made, so that apply can reload the same
// policy and check nothing changed.
type Inputs struct {
	// PolicyHash covers every field below but Salt (see Fingerprint).
	PolicyHash string
	// Sources maps each policy file, each file read by file() and each
	// var-file to the sha256 of its content, to say which changed.
	Sources map[string]string
	// Salt is random per plan; it keys the variable and exchange
	// fingerprints (see VariableKey).
	Salt string
	// Variables maps every declared variable (from -var, var-files,
	// CALLCTL_VAR_ or its default) to a keyed hash of its value: values
	// may be secrets, so they are never stored, nor hashed without a key.
	Variables map[string]string
	// Exchanges maps each exchange to a keyed hash of its URL, dialect,
	// server version, TLS settings and auth kind and user (no secret).
	Exchanges map[string]string
	// VarFiles are the -var-file paths the plan was made with, relative to
	// the policy directory, loaded again at apply. -var values of
	// sensitive variables are not kept: such a plan can only be applied if
	// the values come back through CALLCTL_VAR_ environment variables,
	// which the variable fingerprints check.
	VarFiles []string
	// Vars are the -var assignments, less those of sensitive variables.
	Vars     []string
	Targets  []string
	Excludes []string
	// MaxDisconnects is the plan's -max-disconnects (negative: no cap),
	// checked again at apply. Version 2 only.
	MaxDisconnects int
	// Values are the non-sensitive variables' values the plan was made
	// with (ValuesOf). A plan that has them is applied with them, and
	// reads no -var-file again (VarFiles and Vars are then empty); an
	// older plan without them reloads its VarFiles and Vars.
	Values map[string]string
}

// Hash returns the sha256 hex of b.
func Hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// NewSalt returns a random salt for Inputs.Salt.
func NewSalt() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("%w", err)
	}
	return hex.EncodeToString(b), nil
}

// KeyedHash returns HMAC-SHA256 of b keyed with the hex key.
func KeyedHash(key string, b []byte) string {
	k, _ := hex.DecodeString(key)
	mac := hmac.New(sha256.New, k)
	mac.Write(b)
	return hex.EncodeToString(mac.Sum(nil))
}

// Fingerprint fills PolicyHash from every other field but Salt, in the
// version 2 way: the file groups, then the lists in order (the order of
// var-files and -vars is their precedence), then the cap. Each item is
// quoted, so no two different inputs encode alike.
func (in *Inputs) Fingerprint() {
	h := sha256.New()
	writeGroups(h, in.Sources, in.Variables, in.Exchanges)
	for _, list := range [][]string{in.VarFiles, in.Vars, in.Targets, in.Excludes} {
		for _, s := range list {
			fmt.Fprintf(h, "%q\n", s)
		}
		h.Write([]byte{0})
	}
	fmt.Fprintf(h, "max_disconnects=%d\n", in.MaxDisconnects)
	if in.Values != nil {
		// Only plans that store values cover them, so that older
		// plans keep their fingerprints.
		writeGroups(h, in.Values)
	}
	in.PolicyHash = hex.EncodeToString(h.Sum(nil))
}

// fingerprintV1 is Fingerprint as version 1 had it: the groups only.
func (in *Inputs) fingerprintV1() {
	h := sha256.New()
	writeGroups(h, in.Sources, in.Variables, in.Exchanges)
	in.PolicyHash = hex.EncodeToString(h.Sum(nil))
}

func writeGroups(h io.Writer, groups ...map[string]string) {
	for _, group := range groups {
		for _, k := range sortedKeys(group) {
			fmt.Fprintf(h, "%q=%s\n", k, group[k])
		}
		h.Write([]byte{0})
	}
}

// Stale compares the inputs the plan was made from with now, the inputs
// of the policy as loaded again for apply with the file's own -var,
// -var-file, -target, -exclude and cap. It returns what differs, in words;
// nothing when the plan is current. edited is true when all the policy
// decides is equal, so the rest (the file's own record) disagrees with its
// fingerprint: the file was edited.
func (f *File) Stale(now *Inputs) (changes []string, edited bool) {
	if f.FormatVersion == "1" {
		now.fingerprintV1()
	} else {
		now.Fingerprint()
	}
	if now.PolicyHash == f.Inputs.PolicyHash {
		return nil, false
	}
	if changes := f.Inputs.Changes(now); len(changes) > 0 {
		return changes, false
	}
	return nil, true
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

// Digest is "sha256:" and the hex SHA-256 of the file's content in its
// canonical encoding (compact JSON of everything but the signature), as
// encoded or decoded: the same plan gives the same digest however the file
// is laid out, and a reviewer can compare the digest plan printed with the
// one apply prints.
func (f *File) Digest() string { return f.digest }

// Write saves f to path with mode 0600, atomically, signed with key unless
// it is nil: a crash leaves the old file or the new one, never half of
// one, and a symbolic link at path is replaced rather than written
// through.
func Write(path string, f *File, key *Key) error {
	b, err := Encode(f, key)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, b, 0o600); err != nil {
		return fmt.Errorf("planfile: writing %s: %w", path, err)
	}
	return nil
}

// Encode returns f in the current format (see wireFile), indented, with a
// final newline, signed with key unless it is nil. It sets f's
// FormatVersion, Signature and digest.
func Encode(f *File, key *Key) ([]byte, error) { return encode(f, key, MaxSnapshotBytes) }

// encode is Encode with the bound on the data sources' records as a
// parameter, which tests lower.
func encode(f *File, key *Key, maxSnapshotBytes int) ([]byte, error) {
	f.FormatVersion = FormatVersion
	w := toWire(f)
	canon, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("planfile: encoding plan: %w", err)
	}
	if n := snapshotBytes(f.DataSources); n > maxSnapshotBytes {
		return nil, fmt.Errorf("planfile: the data sources' records take %d bytes, more than the %d a plan file may hold", n, maxSnapshotBytes)
	}
	f.digest = digestOf(canon)
	w.Digest = f.digest
	f.Signature = nil
	if key != nil {
		f.Signature = key.sign(f.digest)
		w.Signature = &wireSignature{Algorithm: f.Signature.Algorithm, KeyID: f.Signature.KeyID, Value: f.Signature.Value}
	}
	b, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("planfile: encoding plan: %w", err)
	}
	if len(b) >= MaxFileBytes {
		return nil, fmt.Errorf("planfile: the plan takes %d bytes, more than the %d a plan file may hold", len(b), MaxFileBytes)
	}
	return append(b, '\n'), nil
}

func digestOf(canon []byte) string {
	sum := sha256.Sum256(canon)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func snapshotBytes(ds []DataSnapshot) int {
	n := 0
	for _, d := range ds {
		n += len(d.Snapshot)
	}
	return n
}

// Bounds on what a plan file may hold, so that a hostile file cannot make
// apply or show exhaust memory. A plan of 100,000 calls takes about 30 MB;
// the records of its data sources are bounded separately.
const (
	// MaxFileBytes bounds a plan file.
	MaxFileBytes = 512 << 20
	// MaxSnapshotBytes bounds the records of all data sources together
	// (JSON lines, before the file's escaping).
	MaxSnapshotBytes = 256 << 20
)

// ErrNotPlanFile is returned for a file that is not a callctl plan.
var ErrNotPlanFile = errors.New("not a callctl plan file")

// Read loads a saved plan, strictly (see Decode). It does not check the
// signature: see Verify. Only a regular file is read, and no more of it
// than MaxFileBytes.
func Read(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w", err)
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err != nil {
		return nil, fmt.Errorf("planfile: %w", err)
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("planfile: %s is not a regular file", path)
	} else if fi.Size() > MaxFileBytes {
		return nil, fmt.Errorf("planfile: %s holds %d bytes, more than the %d a plan file may hold", path, fi.Size(), MaxFileBytes)
	}
	return Decode(fh)
}

// Decode reads a saved plan from r, strictly: one JSON object of the
// layout its format_version names, with no unknown, repeated or misspelt
// field, no null change, no unknown action and nothing after it, of at
// most MaxFileBytes. It does not check the signature: see Verify.
func Decode(r io.Reader) (*File, error) { return decode(r, MaxSnapshotBytes) }

// decode is Decode with the bound on the data sources' records as a
// parameter, which tests lower.
func decode(r io.Reader, maxSnapshotBytes int) (*File, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("planfile: %w", err)
	}
	if len(b) > MaxFileBytes {
		return nil, fmt.Errorf("planfile: the file is larger than %d bytes, the most a plan file may hold", MaxFileBytes)
	}
	var head struct {
		FormatVersion json.RawMessage `json:"format_version"`
	}
	// Only the first value: trailing data is reported by the strict pass.
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&head); err != nil || len(head.FormatVersion) == 0 {
		return nil, ErrNotPlanFile
	}
	version, err := strconv.Unquote(string(head.FormatVersion))
	if err != nil {
		return nil, ErrNotPlanFile
	}
	switch version {
	case "1":
		return decodeV1(b)
	case formatV2, FormatVersion:
		f, stored, err := decodeV2(b, maxSnapshotBytes)
		if err != nil {
			return nil, err
		}
		switch {
		case version == formatV2 && stored != "":
			return nil, fmt.Errorf("%w: format 2 has no digest field; a plan that stores its digest is format %q", ErrNotPlanFile, FormatVersion)
		case version == FormatVersion && stored == "":
			return nil, fmt.Errorf("planfile: the plan stores no digest; format %q files always do, so this one was edited. Make and review a new plan", FormatVersion)
		case version == FormatVersion && stored != f.digest:
			return nil, fmt.Errorf("planfile: %w: it stores %s, its content is %s, so it was edited after it was written", ErrDigestMismatch, stored, f.digest)
		}
		return f, nil
	default:
		return nil, fmt.Errorf("plan file format %q is not supported by this callctl (it reads formats \"1\", %q and %q); make the plan again with this version", version, formatV2, FormatVersion)
	}
}

// ContentDigest returns the digest of a version 2 or 3 plan file's
// content, computed as Decode computes it, whatever digest the file
// stores (Decode refuses a file whose stored digest differs): for tools
// that compare a plan with the one reviewed.
func ContentDigest(b []byte) (string, error) {
	f, _, err := decodeV2(b, MaxSnapshotBytes)
	if err != nil {
		return "", err
	}
	return f.digest, nil
}

// decodeV2 decodes a version 2 or 3 file, returning the digest it stores
// (version 3) besides the one its content has.
func decodeV2(b []byte, maxSnapshotBytes int) (f *File, stored string, err error) {
	var w wireFile
	if err := strictUnmarshal(b, &w); err != nil {
		return nil, "", err
	}
	if err := w.check(maxSnapshotBytes); err != nil {
		return nil, "", err
	}
	f = fromWire(&w)
	// The digest is of the content as Encode would write it (an omitted
	// list and an empty one are the same plan), so it is the same
	// however the file was laid out, and what the signature covers.
	canon, err := json.Marshal(toWire(f))
	if err != nil {
		return nil, "", fmt.Errorf("planfile: encoding plan: %w", err)
	}
	f.digest = digestOf(canon)
	if sig := w.Signature; sig != nil {
		f.Signature = &Signature{Algorithm: sig.Algorithm, KeyID: sig.KeyID, Value: sig.Value}
	}
	return f, w.Digest, nil
}

// strictUnmarshal decodes b into v after checkStrict has passed it.
func strictUnmarshal(b []byte, v any) error {
	if err := checkStrict(b, v); err != nil {
		return fmt.Errorf("%w: %v", ErrNotPlanFile, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %v", ErrNotPlanFile, err)
	}
	return nil
}
