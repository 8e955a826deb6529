package planfile

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"time"

	"github.com/callctl/callctl/reconcile"
)

// The on-disk layout of a plan file, format version 3 (version 2 is the
// same without digest). These structs are the format: they are owned
// here, not borrowed from reconcile or config, so that renaming a field
// elsewhere cannot change what is written. A change to any json tag below
// is a format change: it needs a new FormatVersion, and
// testdata/plan-v2.json and plan-v3.json must keep loading.
//
// A version 3 file is one JSON object:
//
//	format_version   "3" (or "2")
//	callctl_version  the callctl that made it
//	created_at       RFC 3339 time
//	plan_timestamp   the instant plantimestamp() returned (RFC 3339)
//	inputs           fingerprints of what the plan was made from (wireInputs)
//	data_sources     each data source's records (wireDataSource)
//	plan             the changes, each call's observed state (wirePlan)
//	policy_dir       the policy directory it was made for (File.PolicyDir);
//	                 optional
//	digest           "sha256:" and the SHA-256 of everything else (version
//	                 3): a reader refuses a file whose content does not
//	                 match it
//	signature        optional: HMAC-SHA256 of the digest (wireSignature)
//
// The digest is the SHA-256 of the compact JSON encoding (encoding/json's
// Marshal) of the object without its digest and signature; see
// File.Digest. It covers every field, so the data sources' records, the
// plan timestamp and every change are all inside it.
type wireFile struct {
	FormatVersion  string           `json:"format_version"`
	CallctlVersion string           `json:"callctl_version"`
	CreatedAt      time.Time        `json:"created_at"`
	PlanTimestamp  time.Time        `json:"plan_timestamp"`
	Inputs         wireInputs       `json:"inputs"`
	DataSources    []wireDataSource `json:"data_sources"`
	Plan           *wirePlan        `json:"plan"`
	PolicyDir      string           `json:"policy_dir,omitempty"`
	Digest         string           `json:"digest,omitempty"`
	Signature      *wireSignature   `json:"signature,omitempty"`
}

// wireInputs is Inputs on disk; see Inputs for each field's meaning.
type wireInputs struct {
	PolicyHash     string            `json:"policy_hash"`
	Sources        map[string]string `json:"sources"`
	Salt           string            `json:"salt"`
	Variables      map[string]string `json:"variables"`
	Exchanges      map[string]string `json:"exchanges"`
	VarFiles       []string          `json:"var_files"`
	Vars           []string          `json:"vars"`
	Targets        []string          `json:"targets"`
	Excludes       []string          `json:"excludes"`
	MaxDisconnects int               `json:"max_disconnects"`
	// Values is a pointer so that a plan with no variables ({}) is told
	// apart from an older plan without stored values (absent).
	Values *map[string]string `json:"values,omitempty"`
}

// wireDataSource is DataSnapshot on disk: snapshot is the records as JSON
// lines, in one string.
type wireDataSource struct {
	Address  string `json:"address"`
	Records  int    `json:"records"`
	Snapshot string `json:"snapshot"`
}

// wirePlan is reconcile.Plan on disk.
type wirePlan struct {
	Changes   []*wireChange `json:"changes"`
	CreatedAt time.Time     `json:"created_at"`
}

// wireChange is reconcile.Change on disk. action is one of "disconnect",
// "already_ended", "not_found" and "left_alone"; only_in_states is kept
// for the record, but apply takes guards from the policy, never the file.
type wireChange struct {
	Address      string    `json:"address"`
	Exchange     string    `json:"exchange"`
	CallID       string    `json:"call_id"`
	Reason       string    `json:"reason,omitempty"`
	State        string    `json:"state,omitempty"`
	Cause        string    `json:"cause,omitempty"`
	Action       string    `json:"action"`
	OnlyInStates []string  `json:"only_in_states,omitempty"`
	ObservedAt   time.Time `json:"observed_at"`
}

// wireSignature is Signature on disk.
type wireSignature struct {
	Algorithm string `json:"algorithm"`
	KeyID     string `json:"key_id"`
	Value     string `json:"value"`
}

// orEmpty keeps a nil list or map from encoding as null, which the strict
// reader refuses.
func orEmpty[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}

func orEmptyMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func toWire(f *File) *wireFile {
	in := f.Inputs
	w := &wireFile{
		FormatVersion:  f.FormatVersion,
		CallctlVersion: f.CallctlVersion,
		CreatedAt:      f.CreatedAt,
		PlanTimestamp:  f.PlanTimestamp,
		PolicyDir:      f.PolicyDir,
		Inputs: wireInputs{
			PolicyHash: in.PolicyHash, Sources: orEmptyMap(in.Sources), Salt: in.Salt,
			Variables: orEmptyMap(in.Variables), Exchanges: orEmptyMap(in.Exchanges),
			VarFiles: orEmpty(in.VarFiles), Vars: orEmpty(in.Vars), Targets: orEmpty(in.Targets), Excludes: orEmpty(in.Excludes),
			MaxDisconnects: in.MaxDisconnects, Values: valuesToWire(in.Values),
		},
		DataSources: make([]wireDataSource, len(f.DataSources)),
	}
	for i, d := range f.DataSources {
		w.DataSources[i] = wireDataSource{Address: d.Address, Records: d.Records, Snapshot: string(d.Snapshot)}
	}
	if f.Plan != nil {
		w.Plan = &wirePlan{CreatedAt: f.Plan.CreatedAt, Changes: make([]*wireChange, len(f.Plan.Changes))}
		for i, c := range f.Plan.Changes {
			w.Plan.Changes[i] = &wireChange{
				Address: c.Address, Exchange: c.Exchange, CallID: c.CallID, Reason: c.Reason,
				State: c.State, Cause: c.Cause, Action: string(c.Action),
				OnlyInStates: c.OnlyInStates, ObservedAt: c.ObservedAt,
			}
		}
	}
	return w
}

func fromWire(w *wireFile) *File {
	in := w.Inputs
	f := &File{
		FormatVersion:  w.FormatVersion,
		CallctlVersion: w.CallctlVersion,
		CreatedAt:      w.CreatedAt,
		PlanTimestamp:  w.PlanTimestamp,
		PolicyDir:      w.PolicyDir,
		Inputs: Inputs{
			PolicyHash: in.PolicyHash, Sources: in.Sources, Salt: in.Salt, Variables: in.Variables, Exchanges: in.Exchanges,
			VarFiles: in.VarFiles, Vars: in.Vars, Targets: in.Targets, Excludes: in.Excludes, MaxDisconnects: in.MaxDisconnects,
			Values: valuesFromWire(in.Values),
		},
		Plan: changesFromWire(w.Plan),
	}
	for _, d := range w.DataSources {
		f.DataSources = append(f.DataSources, DataSnapshot{Address: d.Address, Records: d.Records, Snapshot: []byte(d.Snapshot)})
	}
	return f
}

func changesFromWire(w *wirePlan) *reconcile.Plan {
	p := &reconcile.Plan{CreatedAt: w.CreatedAt, Changes: make([]*reconcile.Change, len(w.Changes))}
	for i, c := range w.Changes {
		p.Changes[i] = &reconcile.Change{
			Address: c.Address, Exchange: c.Exchange, CallID: c.CallID, Reason: c.Reason,
			State: c.State, Cause: c.Cause, Action: reconcile.Action(c.Action),
			OnlyInStates: c.OnlyInStates, ObservedAt: c.ObservedAt,
		}
	}
	return p
}

// check refuses what the types let through but a plan cannot mean.
func (w *wireFile) check(maxSnapshotBytes int) error {
	if w.Plan == nil {
		return fmt.Errorf("%w: it has no plan", ErrNotPlanFile)
	}
	if err := checkInputs(w.Inputs.Salt, w.Inputs.VarFiles); err != nil {
		return err
	}
	if w.Inputs.MaxDisconnects < -1 {
		return fmt.Errorf("planfile: inputs.max_disconnects is %d; it is -1 (no cap) or a count", w.Inputs.MaxDisconnects)
	}
	if err := checkChanges(w.Plan.Changes); err != nil {
		return err
	}
	seen := map[string]bool{}
	total := 0
	for i, d := range w.DataSources {
		switch {
		case d.Address == "":
			return fmt.Errorf("planfile: data_sources[%d] has no address", i)
		case seen[d.Address]:
			return fmt.Errorf("planfile: data source %q is listed more than once", d.Address)
		case d.Records < 0:
			return fmt.Errorf("planfile: data source %q has a negative record count", d.Address)
		}
		seen[d.Address] = true
		total += len(d.Snapshot)
	}
	if total > maxSnapshotBytes {
		return fmt.Errorf("planfile: the data sources' records take %d bytes, more than the %d a plan file may hold", total, maxSnapshotBytes)
	}
	if s := w.Signature; s != nil {
		if s.Algorithm != signatureAlgorithm {
			return fmt.Errorf("planfile: the signature's algorithm is %q; this callctl signs and checks %q only", s.Algorithm, signatureAlgorithm)
		}
		if v, err := hex.DecodeString(s.Value); err != nil || len(v) != 32 {
			return fmt.Errorf("planfile: the signature's value is not 64 hex digits")
		}
	}
	return nil
}

// checkInputs checks what both versions record about inputs.
func checkInputs(salt string, varFiles []string) error {
	if b, err := hex.DecodeString(salt); err != nil || len(b) == 0 {
		return fmt.Errorf("planfile: inputs.salt is not hex digits")
	}
	for _, p := range varFiles {
		// Apply reads these again: a path that leaves the policy
		// directory could make it read (and quote in errors) any file.
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return fmt.Errorf("planfile: inputs.var_files names %q, which is not inside the policy directory; a plan's var-files must be relative paths that stay in it", p)
		}
	}
	return nil
}

// checkChanges refuses changes that name no call or an unknown action:
// apply must never guess what a change means.
func checkChanges(changes []*wireChange) error {
	for i, c := range changes {
		switch {
		case c == nil:
			return fmt.Errorf("%w: plan.changes[%d] is null", ErrNotPlanFile, i)
		case c.Address == "" || c.Exchange == "" || c.CallID == "":
			return fmt.Errorf("planfile: plan.changes[%d] lacks an address, exchange or call_id", i)
		}
		switch reconcile.Action(c.Action) {
		case reconcile.ActionDisconnect, reconcile.ActionNone, reconcile.ActionNotFound, reconcile.ActionLeaveAlone:
		default:
			return fmt.Errorf("planfile: plan.changes[%d] (%s) has action %q, which is not one of \"disconnect\", \"already_ended\", \"not_found\" and \"left_alone\"", i, c.Address, c.Action)
		}
	}
	return nil
}

func valuesToWire(v map[string]string) *map[string]string {
	if v == nil {
		return nil
	}
	return &v
}

func valuesFromWire(v *map[string]string) map[string]string {
	if v == nil {
		return nil
	}
	if *v == nil {
		return map[string]string{}
	}
	return *v
}
