package watch

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// onceDiags keeps a watch from printing the same diagnostics every cycle
// while a problem lasts: a diagnostic the previous cycle showed (or
// withheld) is withheld. When a cycle goes without it, it is forgotten,
// so it shows again if the problem comes back.
type onceDiags struct {
	prev, cur map[string]bool
	// errors counts the cycle's errors, repeated those of them withheld.
	errors, repeated int
}

// next starts a cycle.
func (o *onceDiags) next() {
	o.prev, o.cur = o.cur, map[string]bool{}
	o.errors, o.repeated = 0, 0
}

// filter returns the diagnostics to show and counts them.
func (o *onceDiags) filter(diags hcl.Diagnostics) hcl.Diagnostics {
	var shown hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			o.errors++
		}
		k := diagKey(d)
		o.cur[k] = true
		if o.prev[k] {
			if d.Severity == hcl.DiagError {
				o.repeated++
			}
			continue
		}
		shown = append(shown, d)
	}
	return shown
}

// diagKey identifies a diagnostic by what it says and where.
func diagKey(d *hcl.Diagnostic) string {
	subject := ""
	if d.Subject != nil {
		subject = d.Subject.String()
	}
	return fmt.Sprintf("%d\x00%s\x00%s\x00%s", d.Severity, d.Summary, d.Detail, subject)
}
