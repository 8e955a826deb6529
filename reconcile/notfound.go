package reconcile

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// NotFoundPolicy says what a call the exchange does not know means for a
// plan: a warning (the default: it most likely ended long ago) or an error
// (for CI and careful operators: it may be a mistyped id of a live call).
type NotFoundPolicy string

const (
	NotFoundWarn  NotFoundPolicy = "warn"
	NotFoundError NotFoundPolicy = "error"
)

// notFoundMeaning is how every view words a call the server does not know.
const notFoundMeaning = "not found: already ended, expired, or a wrong id"

// maxListedNotFound is how many not-found calls of one exchange get a
// diagnostic each; beyond it they are grouped into one.
const maxListedNotFound = 3

// NotFoundDiagnostics names each call the plan did not find, and where it
// was declared, so that a mistyped id is never mistaken for an ended call.
// Calls on one exchange are grouped into one diagnostic when there are
// more than a few. Under NotFoundError they are errors.
func NotFoundDiagnostics(changes []*Change, policy NotFoundPolicy) hcl.Diagnostics {
	var exchanges []string
	byExchange := map[string][]*Change{}
	for _, c := range changes {
		if c.Action != ActionNotFound {
			continue
		}
		if byExchange[c.Exchange] == nil {
			exchanges = append(exchanges, c.Exchange)
		}
		byExchange[c.Exchange] = append(byExchange[c.Exchange], c)
	}
	severity := hcl.DiagWarning
	after := func(one bool) string {
		if policy == NotFoundError {
			if one {
				return "Nothing was disconnected: -not-found=error refuses a plan with calls the exchange does not know. Correct or remove the id, or drop -not-found=error if the call has simply ended."
			}
			return "Nothing was disconnected: -not-found=error refuses a plan with calls the exchange does not know. Correct or remove the ids, or drop -not-found=error if the calls have simply ended."
		}
		if one {
			return "Nothing will be done with it. Check the id in the policy or its inputs; to make this an error, use -not-found=error."
		}
		return "Nothing will be done with them. Check the ids in the policy or its inputs; to make this an error, use -not-found=error."
	}
	if policy == NotFoundError {
		severity = hcl.DiagError
	}
	var diags hcl.Diagnostics
	for _, ex := range exchanges {
		cs := byExchange[ex]
		if len(cs) <= maxListedNotFound {
			for _, c := range cs {
				diags = append(diags, &hcl.Diagnostic{
					Severity: severity,
					Summary:  "Call not found",
					Detail:   fmt.Sprintf("Exchange %q does not know %s (call id %q%s): %s. %s", ex, c.Address, c.CallID, declaredAt(c), notFoundMeaning, after(true)),
					Subject:  declRange(c),
				})
			}
			continue
		}
		var lines []string
		for _, c := range cs[:maxNamedCalls] {
			lines = append(lines, fmt.Sprintf("  %s (call id %q%s)", c.Address, c.CallID, declaredAt(c)))
		}
		if n := len(cs) - maxNamedCalls; n > 0 {
			lines = append(lines, fmt.Sprintf("  and %d more", n))
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: severity,
			Summary:  "Calls not found",
			Detail: fmt.Sprintf("Exchange %q does not know %d calls: %s.\n%s\n\n%s", ex, len(cs), notFoundMeaning, strings.Join(lines, "\n"),
				after(false)),
			Subject: declRange(cs[0]),
		})
	}
	return diags
}

func declRange(c *Change) *hcl.Range {
	if c.Call == nil || c.Call.DeclRange.Filename == "" {
		return nil
	}
	r := c.Call.DeclRange
	return &r
}

func declaredAt(c *Change) string {
	if r := declRange(c); r != nil {
		return fmt.Sprintf(", declared at %s:%d", r.Filename, r.Start.Line)
	}
	return ""
}
