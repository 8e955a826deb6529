package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// baseCommandEnv are the environment variables every inventory command
// gets, when callctl has them: enough to find programs, a home directory,
// a locale, a time zone and a place for temporary files. Anything else it
// must be given by name, with the data block's env argument, so that a
// reviewer sees what a command can read; a command never inherits
// callctl's whole environment, which holds credentials.
var baseCommandEnv = []string{"PATH", "HOME", "LANG", "TZ", "TMPDIR"}

// withheldEnvPrefix names callctl's own variables: the plan key, the
// policy's variables (CALLCTL_VAR_), credentials by convention
// (CALLCTL_PASSWORD). None is ever passed to a command.
const withheldEnvPrefix = "CALLCTL_"

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkCommandEnv judges the names a data block's env argument lists.
func (ld *loadRun) checkCommandEnv(addr string, names []string, rngs []hcl.Range, attr *hcl.Attribute) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i, name := range names {
		rng := attr.Expr.Range()
		if i < len(rngs) {
			rng = rngs[i]
		}
		var why string
		switch {
		case !envNamePattern.MatchString(name):
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid environment variable name",
				Detail:   fmt.Sprintf("%q in the env of %s is not an environment variable name: use letters, digits and underscores, not starting with a digit, and no \"=\". env lists names; the values come from callctl's environment.", name, addr),
				Subject:  rng.Ptr(),
			})
			continue
		case strings.HasPrefix(strings.ToUpper(name), withheldEnvPrefix):
			why = fmt.Sprintf("Variables starting with %s are callctl's own (the plan key, policy variables, credentials) and are never passed to a command.", withheldEnvPrefix)
		case ld.secretEnv[name]:
			why = "An auth block's password or token reads it, so it holds a credential, which a command's output or errors could reveal."
		case ld.secrets.Contains(ld.environ[name]):
			why = "Its value is a secret the policy uses (a sensitive variable's value, a password or a token), which a command's output or errors could reveal."
		default:
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Environment variable withheld from command",
			Detail:   fmt.Sprintf("The env of %s lists %s. %s Give the command what it needs under another name, or let it read its own credentials.", addr, name, why),
			Subject:  rng.Ptr(),
		})
	}
	return diags
}

// commandEnviron is the environment an inventory command runs with: the
// base variables and those named, with callctl's values; names callctl
// does not have are left unset.
func (ld *loadRun) commandEnviron(names []string) []string {
	env := []string{}
	for _, name := range slices.Concat(baseCommandEnv, names) {
		if strings.HasPrefix(strings.ToUpper(name), withheldEnvPrefix) || ld.secretEnv[name] || ld.secrets.Contains(ld.environ[name]) {
			continue // refused in env; never passed even as a base variable
		}
		if v, ok := ld.environ[name]; ok && !slices.Contains(env, name+"="+v) {
			env = append(env, name+"="+v)
		}
	}
	return env
}
