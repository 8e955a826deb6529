package planfile

import (
	"encoding/json"
	"fmt"
	"time"
)

// The layout of format version 1, which callctl still reads (never
// writes): testdata/plan-v1.json must keep loading. A version 1 file has
// no signature, no data sources and no plan timestamp, and its policy_hash
// does not cover -var, -var-file, -target or -exclude (fingerprintV1); so
// it loads as an unsigned plan, refused when a plan key is configured.
//
// A version 1 file is one JSON object:
//
//	format_version   "1"
//	callctl_version  the callctl that made it
//	created_at       RFC 3339 time
//	inputs           fingerprints of what the plan was made from (wireInputsV1)
//	plan             the changes, each call's observed state (wirePlan)
type wireFileV1 struct {
	FormatVersion  string       `json:"format_version"`
	CallctlVersion string       `json:"callctl_version"`
	CreatedAt      time.Time    `json:"created_at"`
	Inputs         wireInputsV1 `json:"inputs"`
	Plan           *wirePlan    `json:"plan"`
}

// wireInputsV1 is Inputs on disk in version 1.
type wireInputsV1 struct {
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

func decodeV1(b []byte) (*File, error) {
	var w wireFileV1
	if err := strictUnmarshal(b, &w); err != nil {
		return nil, err
	}
	if w.Plan == nil {
		return nil, fmt.Errorf("%w: it has no plan", ErrNotPlanFile)
	}
	if err := checkInputs(w.Inputs.Salt, w.Inputs.VarFiles); err != nil {
		return nil, err
	}
	if err := checkChanges(w.Plan.Changes); err != nil {
		return nil, err
	}
	in := w.Inputs
	f := &File{
		FormatVersion:  w.FormatVersion,
		CallctlVersion: w.CallctlVersion,
		CreatedAt:      w.CreatedAt,
		Inputs: Inputs{
			PolicyHash: in.PolicyHash, Sources: in.Sources, Salt: in.Salt, Variables: in.Variables, Exchanges: in.Exchanges,
			VarFiles: in.VarFiles, Vars: in.Vars, Targets: in.Targets, Excludes: in.Excludes,
			// Version 1 had no cap in the file.
			MaxDisconnects: -1,
		},
		Plan: changesFromWire(w.Plan),
	}
	canon, err := json.Marshal(&w)
	if err != nil {
		return nil, fmt.Errorf("planfile: encoding plan: %w", err)
	}
	f.digest = digestOf(canon)
	return f, nil
}
