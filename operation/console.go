package operation

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
)

// LoadScope loads the request's policy for callctl console: data sources
// are read as plan reads them, no exchange is contacted, and, as for
// validate, no values or secrets are needed (an unset variable or env()
// is unknown). The policy's Scope evaluates expressions.
func LoadScope(req *Request, view SourceView) (*config.Policy, hcl.Diagnostics) {
	r := *req
	r.offline, r.keepScope = true, true
	return loadPolicy(&r, req.Vars, req.VarFiles, config.DataOptions{NoSnapshots: true}, time.Time{}, view)
}
