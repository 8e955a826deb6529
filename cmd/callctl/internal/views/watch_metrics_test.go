package views

import (
	"strings"
	"testing"

	"github.com/callctl/callctl/metrics"
)

// The startup line says where metrics are served and to whom: an
// address without a host is named as every network interface.
func TestMetricsLine(t *testing.T) {
	tests := []struct {
		l    metrics.Listening
		want string
	}{
		{metrics.Listening{Addr: "[::]:9464", Everywhere: true, MaxConns: 128},
			"Serving metrics at http://:9464/metrics, probes at /livez and /readyz: every network interface, plain HTTP, no authentication, at most 128 connections at once."},
		{metrics.Listening{Addr: "127.0.0.1:9464", MaxConns: 8},
			"at http://127.0.0.1:9464/metrics, probes at /livez and /readyz: loopback only, plain HTTP, no authentication"},
		{metrics.Listening{Addr: "10.0.0.5:9464", TLS: true, BasicAuth: true, MaxConns: 256},
			"at https://10.0.0.5:9464/metrics, probes at /livez and /readyz: this address only, TLS and basic auth"},
		{metrics.Listening{Addr: "10.0.0.5:9464", BasicAuth: true},
			"basic auth over plain HTTP"},
	}
	for _, tc := range tests {
		if got := metricsLine(tc.l); !strings.Contains(got, tc.want) {
			t.Errorf("metricsLine(%+v) = %q, want it to contain %q", tc.l, got, tc.want)
		}
	}
}
