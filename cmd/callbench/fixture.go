package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/exchsim"
)

// The credentials the simulator demands and the policy presents.
const (
	simUser     = `CORP\bench`
	simPassword = "bench-secret"
	passwordEnv = "CALLCTL_PASSWORD"
)

// callIDs returns n distinct ids shaped like a real server's,
// base64("<session>|<UM server FQDN>") (protocol.md §2.5), and the same
// from run to run so that fault draws repeat.
func callIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "callbench-%08d|um01.bench.example", i))
	}
	return ids
}

// connectedCalls is the simulator's table: every id a live call.
func connectedCalls(ids []string) []exchsim.Call {
	calls := make([]exchsim.Call, len(ids))
	for i, id := range ids {
		calls[i] = exchsim.Call{ID: id, State: "Connected"}
	}
	return calls
}

// fixture is a policy on disk in the shape of examples/incident: the call
// ids live in a var-file, and one for_each end_call names them all.
type fixture struct {
	dir     string // the policy directory
	varFile string // absolute path of the incident var-file
	calls   int
}

// policyHCL is the policy. The URL comes in as a variable because the
// simulator's port is known only once it listens.
const policyHCL = `# Written by callbench: an incident list kept in a var-file, as in
# examples/incident.

variable "incident" {
  type = string
}

variable "stuck_calls" {
  type    = list(string)
  default = []
}

variable "ews_url" {
  type = string
}

variable "ca_file" {
  type    = string
  default = ""
}

exchange "sim" {
  url     = var.ews_url
  ca_file = var.ca_file
%s}

end_call "stuck" {
  for_each       = toset(var.stuck_calls)
  exchange       = exchange.sim
  call_id        = each.value
  reason         = "stuck after ${var.incident}"
  only_in_states = ["Connected"]
}
`

// authHCL is the exchange body's auth part for an auth mode, written from
// the kind's arguments: its account as simUser, its secrets read from
// passwordEnv. A kind that sends its secret on every request over the
// simulator's plain http needs the explicit opt-in a real policy would.
func authHCL(auth string) string {
	k := authkind.Lookup(auth)
	if k == nil {
		return ""
	}
	var b strings.Builder
	if k.SecretOnWire {
		b.WriteString("  allow_insecure_http = true\n")
	}
	fmt.Fprintf(&b, "\n  auth %q {\n", k.Name)
	for _, a := range k.Attributes {
		if a.Optional {
			continue
		}
		value := strconv.Quote(simUser)
		if a.Secret {
			value = fmt.Sprintf("env(%q)", passwordEnv)
		}
		fmt.Fprintf(&b, "    %s = %s\n", a.Name, value)
	}
	b.WriteString("  }\n")
	return b.String()
}

// writeFixture writes the policy and an incident var-file naming ids under
// root.
func writeFixture(root string, ids []string, auth string) (fixture, error) {
	fx := fixture{dir: filepath.Join(root, "policy"), varFile: filepath.Join(root, "incident.vars"), calls: len(ids)}
	if err := os.MkdirAll(fx.dir, 0o755); err != nil {
		return fx, fmt.Errorf("callbench: %w", err)
	}
	if err := os.WriteFile(filepath.Join(fx.dir, "main.hcl"), fmt.Appendf(nil, policyHCL, authHCL(auth)), 0o644); err != nil {
		return fx, fmt.Errorf("callbench: %w", err)
	}
	err := writeFile(fx.varFile, func(w *bufio.Writer) {
		w.WriteString("incident = \"BENCH-1\"\n\nstuck_calls = [\n")
		for _, id := range ids {
			// Base64 ids need no escaping in an HCL string.
			fmt.Fprintf(w, "  %q,\n", id)
		}
		w.WriteString("]\n")
	})
	return fx, err
}

// writeCallsFile writes the call table in the layout `exchsim -calls` reads.
func writeCallsFile(name string, ids []string) error {
	return writeFile(name, func(w *bufio.Writer) {
		enc := json.NewEncoder(w)
		enc.Encode(struct {
			Calls []exchsim.Call `json:"calls"`
		}{connectedCalls(ids)})
	})
}

// writeFile writes name through a buffer; write's errors surface at Flush.
func writeFile(name string, write func(*bufio.Writer)) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("callbench: %w", err)
	}
	w := bufio.NewWriter(f)
	write(w)
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("callbench: writing %s: %w", name, err)
	}
	return nil
}
