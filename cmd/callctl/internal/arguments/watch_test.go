package arguments

import (
	"testing"
	"time"
)

func TestParseApplyWatch(t *testing.T) {
	tests := map[string]struct {
		args    []string
		want    *Apply
		wantErr string
	}{
		"watch": {[]string{"-auto-approve", "-watch=1m"}, &Apply{Operation: defaultOp(), AutoApprove: true, Watch: time.Minute}, ""},
		"watch with metrics": {[]string{"-auto-approve", "-watch=30s", "-metrics-addr=127.0.0.1:9464"},
			&Apply{Operation: defaultOp(), AutoApprove: true, Watch: 30 * time.Second, MetricsAddr: "127.0.0.1:9464"}, ""},
		"watch without -auto-approve":  {[]string{"-watch=1m"}, nil, "-watch needs -auto-approve"},
		"watch a saved plan":           {[]string{"-auto-approve", "-watch=1m", "p.plan"}, nil, "Can't watch a saved plan"},
		"zero interval":                {[]string{"-auto-approve", "-watch=0s"}, nil, "Invalid -watch"},
		"negative interval":            {[]string{"-auto-approve", "-watch=-1m"}, nil, "Invalid -watch"},
		"metrics without watch":        {[]string{"-auto-approve", "-metrics-addr=127.0.0.1:9464"}, nil, "-metrics-addr needs -watch"},
		"metrics address without port": {[]string{"-auto-approve", "-watch=1m", "-metrics-addr=localhost"}, nil, "Invalid -metrics-addr"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) { checkParse(t, ParseApply, tc.args, tc.want, tc.wantErr) })
	}
}
