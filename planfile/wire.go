package planfile

import (
	"time"

	"github.com/callctl/callctl/reconcile"
)

// The on-disk layout of a plan file, format version 1. These structs are
// the format: they are owned here, not borrowed from reconcile or config,
// so that renaming a field elsewhere cannot change what is written. A
// change to any json tag below is a format change: it needs a new
// FormatVersion, and testdata/plan-v1.json must keep loading.
//
// A version 1 file is one JSON object:
//
//	format_version   "1"
//	callctl_version  the callctl that made it
//	created_at       RFC 3339 time
//	inputs           fingerprints of what the plan was made from (wireInputs)
//	plan             the changes, each call's observed state (wirePlan)
//	policy_dir       the policy directory it was made for (File.PolicyDir);
//	                 optional, absent from plans that predate it
type wireFile struct {
	FormatVersion  string     `json:"format_version"`
	CallctlVersion string     `json:"callctl_version"`
	CreatedAt      time.Time  `json:"created_at"`
	Inputs         wireInputs `json:"inputs"`
	Plan           *wirePlan  `json:"plan"`
	PolicyDir      string     `json:"policy_dir,omitempty"`
}

// wireInputs is Inputs on disk; see Inputs for each field's meaning.
type wireInputs struct {
	PolicyHash string            `json:"policy_hash"`
	Sources    map[string]string `json:"sources"`
	Salt       string            `json:"salt"`
	Variables  map[string]string `json:"variables"`
	Exchanges  map[string]string `json:"exchanges"`
	VarFiles   []string          `json:"var_files,omitempty"`
	Vars       []string          `json:"vars,omitempty"`
	Targets    []string          `json:"targets,omitempty"`
	Excludes   []string          `json:"excludes,omitempty"`
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

func toWire(f *File) *wireFile {
	w := &wireFile{
		FormatVersion:  f.FormatVersion,
		CallctlVersion: f.CallctlVersion,
		CreatedAt:      f.CreatedAt,
		Inputs:         wireInputs(f.Inputs),
		PolicyDir:      f.PolicyDir,
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
	f := &File{
		FormatVersion:  w.FormatVersion,
		CallctlVersion: w.CallctlVersion,
		CreatedAt:      w.CreatedAt,
		Inputs:         Inputs(w.Inputs),
		PolicyDir:      w.PolicyDir,
	}
	if w.Plan != nil {
		f.Plan = &reconcile.Plan{CreatedAt: w.Plan.CreatedAt, Changes: make([]*reconcile.Change, 0, len(w.Plan.Changes))}
		for _, c := range w.Plan.Changes {
			if c == nil {
				continue
			}
			f.Plan.Changes = append(f.Plan.Changes, &reconcile.Change{
				Address: c.Address, Exchange: c.Exchange, CallID: c.CallID, Reason: c.Reason,
				State: c.State, Cause: c.Cause, Action: reconcile.Action(c.Action),
				OnlyInStates: c.OnlyInStates, ObservedAt: c.ObservedAt,
			})
		}
	}
	return f
}
