package exchsim_test

import (
	"testing"

	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/soap"
)

// The simulator writes its own wire names, so that a typo in the client's
// would fail against it rather than be copied; this test holds the two
// to the same paths.
func TestSimulatorServesTheDialectsPaths(t *testing.T) {
	want := map[string]string{soap.DialectEWS: exchsim.EWSPath, soap.DialectUM2007: exchsim.UM2007Path}
	for _, d := range soap.Dialects() {
		if want[d.Name()] != d.EndpointPath() {
			t.Errorf("dialect %s: the client expects %q, the simulator serves %q", d.Name(), d.EndpointPath(), want[d.Name()])
		}
	}
}
