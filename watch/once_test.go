package watch

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestOnceDiags(t *testing.T) {
	bad := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Bad", Detail: "It is bad."}
	worse := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Worse", Detail: "It is worse."}
	warn := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Careful"}
	o := &onceDiags{}
	cycles := []struct {
		in           hcl.Diagnostics
		wantShown    int
		wantErrors   int
		wantRepeated int
	}{
		{hcl.Diagnostics{warn, bad}, 2, 1, 0},
		{hcl.Diagnostics{warn, bad}, 0, 1, 1},        // the same: withheld
		{hcl.Diagnostics{warn, bad, worse}, 1, 2, 1}, // a new one shows
		{nil, 0, 0, 0},                  // fixed
		{hcl.Diagnostics{bad}, 1, 1, 0}, // back: shown again
	}
	for i, c := range cycles {
		o.next()
		shown := o.filter(c.in)
		if len(shown) != c.wantShown || o.errors != c.wantErrors || o.repeated != c.wantRepeated {
			t.Errorf("cycle %d: shown %d, errors %d, repeated %d; want %d, %d, %d", i+1, len(shown), o.errors, o.repeated, c.wantShown, c.wantErrors, c.wantRepeated)
		}
	}
}
