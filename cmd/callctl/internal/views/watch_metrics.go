package views

import (
	"fmt"
	"net"

	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/callctl/callctl/metrics"
)

// MetricsServing says where the metrics and probes are served, and to
// whom: an address without a host is every network the machine is on,
// which an operator must not learn by accident.
func (v *WatchHuman) MetricsServing(l metrics.Listening) {
	v.op.printf("%s\n", metricsLine(l))
}

// MetricsServing is a log message, so the stream's shapes are unchanged.
func (j *WatchJSON) MetricsServing(l metrics.Listening) {
	j.emit("info", metricsLine(l), viewsjson.MessageLog, nil)
}

func metricsLine(l metrics.Listening) string {
	scheme := "http"
	if l.TLS {
		scheme = "https"
	}
	scope := "this address only"
	host, port, _ := net.SplitHostPort(l.Addr)
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		scope = "loopback only"
	}
	shown := l.Addr
	if l.Everywhere {
		scope = "every network interface"
		shown = ":" + port
	}
	var access string
	switch {
	case l.TLS && l.BasicAuth:
		access = "TLS and basic auth"
	case l.TLS:
		access = "TLS, no authentication"
	case l.BasicAuth:
		access = "basic auth over plain HTTP"
	default:
		access = "plain HTTP, no authentication"
	}
	return fmt.Sprintf("Serving metrics at %s://%s/metrics, probes at /livez and /readyz: %s, %s, at most %d connections at once.",
		scheme, shown, scope, access, l.MaxConns)
}
