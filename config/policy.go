package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/internal/redact"
)

// Policy is a loaded, fully evaluated policy.
type Policy struct {
	Dir       string
	Exchanges map[string]*Exchange // by block label
	Calls     []*Call              // every end_call instance, sorted by Address
	Protects  []*Protect           // protect blocks (guards), may be empty
	// Protected are the for_each instances a protect block forbids
	// ending: skipped, not in Calls, and reported in one warning per
	// end_call block.
	Protected []*Call
	// Failed are the for_each instances whose record could not be
	// evaluated (for_each_records.go): each fails on its own, with its
	// diagnostics, while the other calls plan and apply.
	Failed []*FailedCall

	// Variables holds every declared variable's resolved value, after
	// precedence and type conversion. A variable whose value could not be
	// resolved is absent.
	Variables map[string]cty.Value
	// Sensitive names the variables declared with sensitive = true and
	// those an auth block's password or token reads, whatever their
	// declaration: a renderer must not print their values, and a saved
	// plan must not keep them.
	Sensitive map[string]bool
	// Secrets holds the values of those variables, the passwords and
	// tokens, and LoadOptions.Secrets, for masking text from outside
	// (an inventory command's errors, say) before it is shown. Never nil
	// once loaded.
	Secrets *redact.Secrets

	// Sources maps each policy file's name relative to Dir to its bytes,
	// and "file(NAME)" to the bytes of each file the file function read.
	// Saved plans fingerprint them (package planfile).
	Sources map[string][]byte

	// DataSources are the data blocks in declaration order, with what
	// reading each produced.
	DataSources []*DataSource
	// PlanTimestamp is the instant plantimestamp() returned, to the
	// second; a saved plan records it and passes it back through
	// LoadOptions.PlanTimestamp.
	PlanTimestamp time.Time

	// Deferred names the end_call blocks whose calls are not known while
	// loading: they depend on data sources validate does not read, or on
	// values it was not given. Calls holds none of theirs.
	Deferred []string

	// Scope evaluates expressions against the policy (var, local, data,
	// the functions); set only under LoadOptions.KeepScope.
	Scope *Scope
}

// Exchange is one `exchange "NAME" { ... }` block.
type Exchange struct {
	Name               string
	URL                string
	Dialect            string // a soap.Dialect's name; default soap.DefaultDialect
	ServerVersion      string // "" for a dialect without versions (um2007)
	Auth               *Auth  // nil means no authentication
	CAFile             string // resolved relative to the policy directory
	InsecureSkipVerify bool
	AllowInsecureHTTP  bool
	DeclRange          hcl.Range
}

// Auth is the `auth "KIND" { ... }` block inside an exchange.
type Auth struct {
	Kind        string               // an authkind name
	Credentials authkind.Credentials // the block's arguments, by name
	DeclRange   hcl.Range
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
	// CallIDRange is the call_id expression, for diagnostics about the id
	// itself; nil without one. A for_each's instances share it: with
	// 100,000 of them, a copy each would cost 6 MB.
	CallIDRange *hcl.Range
}

// FailedCall is one for_each element of an end_call that failed to
// evaluate: an inventory record timecmp rejects, say.
type FailedCall struct {
	Address string // end_call.NAME["key"], or end_call.NAME when the key is unknown
	Name    string // block label
	Key     string // "" when the key could not be worked out
	Record  string // names the record: "record 3 of data.inventory.x (file calls.jsonl)"
	// Diagnostics say why, each naming the record and the instance.
	Diagnostics hcl.Diagnostics
}

// Protect is a `protect "NAME" { call_ids = [...] patterns = [...] }` guard:
// calls that must never be ended.
type Protect struct {
	Name      string
	CallIDs   []string
	Patterns  []string // path.Match-style glob patterns over call ids ("/" is an ordinary character; see Protected)
	DeclRange hcl.Range
}
