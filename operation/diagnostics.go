package operation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/lock"
)

// lockDiagnostic words a failure to take the apply lock: held by another
// apply, interrupted while waiting, or not creatable at all.
func lockDiagnostic(err error) *hcl.Diagnostic {
	detail := capitalize(strings.TrimPrefix(err.Error(), "lock: "))
	if !strings.HasSuffix(detail, ".") {
		detail += "."
	}
	var held *lock.HeldError
	switch {
	case errors.As(err, &held):
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Policy directory is locked", Detail: detail}
	case errors.Is(err, context.Canceled):
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Apply interrupted", Detail: "Interrupted while waiting for another apply on this policy to finish. Nothing was disconnected."}
	default:
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot create the apply lock", Detail: detail + " callctl apply locks the policy directory so that two applies cannot run at once; it needs to write .callctl/ there (or in -state-dir, when given). Nothing was disconnected."}
	}
}

func journalDiagnostic(path string, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Journal could not be written",
		Detail:   fmt.Sprintf("Writing the apply journal %s failed: %s. Disconnects after the failure were not sent. Check the calls' state with \"callctl plan\".", path, err),
	}
}

func abandonedDiagnostic(inFlight []string, journalPath string) *hcl.Diagnostic {
	detail := "A second interrupt stopped callctl at once. No disconnects were in flight."
	if len(inFlight) > 0 {
		detail = fmt.Sprintf("A second interrupt stopped callctl at once. These %d disconnects were sent, outcome unknown: the server may or may not have ended those calls. Check their state with \"callctl plan\":\n  %s",
			len(inFlight), strings.Join(inFlight, "\n  "))
		if len(inFlight) == 1 {
			detail = fmt.Sprintf("A second interrupt stopped callctl at once. The disconnect of %s was sent, outcome unknown: the server may or may not have ended the call. Check its state with \"callctl plan\".",
				inFlight[0])
		}
	}
	detail += fmt.Sprintf("\n\nThe journal %s records every disconnect sent; \"callctl show -journal\" lists them.", journalPath)
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Apply abandoned", Detail: detail}
}
