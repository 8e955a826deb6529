package deploy

import (
	"os/exec"
	"testing"
)

// The alert rules load, and behave as their tests say: no page during a
// restart or a slow first cycle, a page after 10 minutes without a
// successful cycle, and a page when the exporter has been gone 10
// minutes (prometheus/callctl-alerts_test.yml).
func TestAlertRules(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	for _, args := range [][]string{
		{"check", "rules", "callctl-alerts.yml"},
		{"test", "rules", "callctl-alerts_test.yml"},
	} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = "prometheus"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %v: %v\n%s", args, err, out)
		}
	}
}
