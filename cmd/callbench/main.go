// Command callbench measures callctl's plan and apply against the exchsim
// simulator, through the same code paths `callctl plan` and `callctl apply`
// use: config.Loader, reconcile.SelectCalls, exchange.Connect,
// reconcile.Planner and reconcile.Applier.
//
//	go run ./cmd/callbench -mode all
//
// It prints one line per figure and, last, one line of JSON holding every
// figure. A figure that misses its target says "target missed" but does
// not change the exit status: only errors (a failed plan without injected
// faults, a simulator that would not start, a build that failed) exit 1.
//
// Modes:
//
//	latency  plan, apply (disconnects only) and apply (plan+disconnect, as
//	         callctl apply) of -calls calls at -latency, against the floor
//	         calls×latency/parallelism; connections and NTLM handshakes
//	cpu      plan and apply of -cpu-calls calls at zero latency, as rates,
//	         and the peak goroutine count during that plan
//	memory   peak RSS of a `callctl plan` child process over -memory-calls
//	         calls, against an exchsim child process
//	ceiling  -cpu-calls lookups at zero latency by callctl and by a bare
//	         net/http+encoding/xml client, 3 rounds each, against a
//	         simulator child process: in this process, rates and CPU per
//	         lookup as ratios, and policy load time apart; then as child
//	         processes, a whole `callctl plan` against the bare client's
//	         own process, whole-process CPU (getrusage) as a ratio; then,
//	         at -latency, -calls lookups by each against the calibration
//	         line, with and without load
//	all      all of the above
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if code, served := serveChildSim(); served {
		os.Exit(code)
	}
	if code, served := serveChildBare(); served {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
