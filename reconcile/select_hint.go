package reconcile

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/agext/levenshtein"

	"github.com/callctl/callctl/config"
)

// unquotedKey is an instance address whose key lost its quotes: the shell
// ate them from -target=end_call.x["AAA"] written without single quotes.
var unquotedKey = regexp.MustCompile(`^(end_call\.[^\[\]"]+)\[([^"\[\]]*)\]$`)

// addressHint says how to fix an address that matches no call: the
// quoted form of a key the shell unquoted, or the closest declared
// address.
func addressHint(calls []*config.Call, flag, addr string) string {
	if m := unquotedKey.FindStringSubmatch(addr); m != nil {
		quoted := fmt.Sprintf("%s[%q]", m[1], m[2])
		what := ""
		if anyMatch(calls, quoted) {
			what = ", which matches a declared call"
		}
		return fmt.Sprintf(" The key has no quotes: the shell most likely removed them. Quote the whole option so that the shell leaves them in: %s='%s'%s.", flag, strings.ReplaceAll(quoted, "'", `'\''`), what)
	}
	best, bestDist := "", 3
	seen := map[string]bool{}
	for _, c := range calls {
		block, _, _ := strings.Cut(c.Address, "[")
		for _, cand := range []string{c.Address, block} {
			if seen[cand] {
				continue
			}
			seen[cand] = true
			if d := levenshtein.Distance(addr, cand, nil); d < bestDist {
				best, bestDist = cand, d
			}
		}
	}
	if best != "" {
		return fmt.Sprintf(" Did you mean %q?", best)
	}
	return ""
}
