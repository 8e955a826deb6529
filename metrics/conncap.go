package metrics

// The metrics server shares the process's file descriptors with the
// reconciler: the lock, the journal, inventories, commands and a socket
// per lane to each exchange. Its connections are capped at an eighth of
// the open-file limit, so that however many clients connect, seven
// eighths stay for the reconciler; at least minConns, so that scrapes and
// probes get through under a tiny limit, and at most maxConns, far more
// than any Prometheus server and prober need.
const (
	minConns = 8
	maxConns = 256
)

// ConnCap is the metrics server's default connection cap, from the
// soft RLIMIT_NOFILE (which Go raises to the hard limit at start).
func ConnCap() int {
	limit, ok := openFileLimit()
	if !ok {
		return maxConns
	}
	return capFor(limit)
}

func capFor(limit uint64) int {
	return int(min(max(limit/8, minConns), maxConns))
}
