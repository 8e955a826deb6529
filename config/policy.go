// Package config loads a callctl policy: a directory of *.hcl files naming
// exchanges and the calls that must be ended on them.
package config

import "github.com/hashicorp/hcl/v2"

// Policy is a loaded, fully evaluated policy.
type Policy struct {
	Dir       string
	Exchanges map[string]*Exchange // by block label
	Calls     []*Call              // every end_call instance, sorted by Address
	Protects  []*Protect           // protect blocks (guards), may be empty
}

// Exchange is one `exchange "NAME" { ... }` block.
type Exchange struct {
	Name               string
	URL                string
	Dialect            string // "ews" (default) or "um2007"
	ServerVersion      string // EWS only; default "Exchange2010"
	Auth               *Auth  // nil means no authentication
	CAFile             string // resolved relative to the policy directory
	InsecureSkipVerify bool
	AllowInsecureHTTP  bool
	DeclRange          hcl.Range
}

// Auth is the `auth "KIND" { ... }` block inside an exchange.
type Auth struct {
	Kind      string // "ntlm", "basic" or "bearer"
	Username  string
	Password  string
	Token     string
	DeclRange hcl.Range
}

// Call is one instance of an `end_call` block: the block itself, or one
// element of its for_each.
type Call struct {
	Address      string // end_call.NAME or end_call.NAME["key"]
	Name         string // block label
	Key          string // for_each key; empty without for_each
	Exchange     string // name of the exchange block it refers to
	CallID       string // opaque; never trimmed or re-encoded
	Reason       string
	OnlyInStates []string // empty means any live state
	DeclRange    hcl.Range
}

// Protect is a `protect "NAME" { call_ids = [...] patterns = [...] }` guard:
// calls that must never be ended.
type Protect struct {
	Name      string
	CallIDs   []string
	Patterns  []string // path.Match-style glob patterns over call ids
	DeclRange hcl.Range
}
