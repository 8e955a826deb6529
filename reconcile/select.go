package reconcile

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
)

// SelectCalls applies -target and -exclude. An address matches a call when
// it is the call's full address (end_call.stuck["abc"]) or its block
// address (end_call.stuck, every instance). With targets, only matching
// calls are kept; excludes then remove calls. A target or exclude that
// matches nothing is an error: a typo must not silently widen or narrow an
// apply.
func SelectCalls(calls []*config.Call, targets, excludes []string) ([]*config.Call, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	check := func(flag string, addrs []string) {
		for _, a := range addrs {
			if !anyMatch(calls, a) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("No call matches %s", flag),
					Detail:   fmt.Sprintf("The address %q given to %s matches no declared call. Use a call's full address, such as end_call.NAME[\"KEY\"], or a block address, such as end_call.NAME.", a, flag) + addressHint(calls, flag, a),
				})
			}
		}
	}
	check("-target", targets)
	check("-exclude", excludes)
	if diags.HasErrors() {
		return nil, diags
	}
	var out []*config.Call
	for _, c := range calls {
		if len(targets) > 0 && !matchesAny(c, targets) {
			continue
		}
		if matchesAny(c, excludes) {
			continue
		}
		out = append(out, c)
	}
	return out, diags
}

func matches(c *config.Call, addr string) bool {
	if addr == c.Address {
		return true
	}
	block, _, _ := strings.Cut(c.Address, "[")
	return addr == block
}

func matchesAny(c *config.Call, addrs []string) bool {
	for _, a := range addrs {
		if matches(c, a) {
			return true
		}
	}
	return false
}

func anyMatch(calls []*config.Call, addr string) bool {
	for _, c := range calls {
		if matches(c, addr) {
			return true
		}
	}
	return false
}
