package planfile

import (
	"fmt"
	"os"
	"strings"

	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/config"
)

// InputsOf fingerprints a loaded policy and the variables it was loaded
// with, the variable and exchange fingerprints keyed with key (hex; see
// VariableKey). varFiles are the -var-file paths as recorded, read through
// resolve; vars are the -var assignments. A var-file that cannot be read
// is an error naming it. The caller sets Salt, Targets, Excludes and
// MaxDisconnects, then calls Fingerprint.
func InputsOf(policy *config.Policy, varFiles []string, resolve func(string) string, vars []string, key string) (*Inputs, error) {
	// Salt is left to the caller: key may be derived from the plan key,
	// and must never be written to the file.
	in := &Inputs{Sources: map[string]string{}, Variables: map[string]string{}, Exchanges: map[string]string{}}
	for name, src := range policy.Sources {
		in.Sources[name] = Hash(src)
	}
	for _, f := range varFiles {
		b, err := os.ReadFile(resolve(f))
		if err != nil {
			return nil, fmt.Errorf("planfile: reading %s: %w", f, err)
		}
		in.Sources[f] = Hash(b)
		in.VarFiles = append(in.VarFiles, f)
	}
	// Where each exchange is, and how callctl talks to it: a changed URL
	// behind env() must not send a reviewed plan to another server.
	for name, ex := range policy.Exchanges {
		desc := fmt.Sprintf("dialect=%s\nurl=%s\nserver_version=%s\nca_file=%s\ninsecure_skip_verify=%t", ex.Dialect, ex.URL, ex.ServerVersion, ex.CAFile, ex.InsecureSkipVerify)
		if ex.Auth != nil {
			// The kind and its fingerprinted arguments (the user
			// name), never a secret.
			desc += "\n" + authkind.Fingerprint(ex.Auth.Kind, ex.Auth.Credentials)
		}
		in.Exchanges[name] = KeyedHash(key, []byte(desc))
	}
	for name, v := range policy.Variables {
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			b = []byte(v.GoString())
		}
		// Keyed: a plain hash of a short secret (a PIN, a password)
		// could be reversed by guessing.
		in.Variables[name] = KeyedHash(key, b)
	}
	for _, a := range vars {
		name, _, _ := strings.Cut(a, "=")
		if !policy.Sensitive[name] {
			in.Vars = append(in.Vars, a)
		}
	}
	in.Fingerprint()
	return in, nil
}
