package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/callctl/callctl/exchsim"
)

// childSimEnv, when set to "AUTH,CALLS[,LATENCY]", makes the callbench executable
// (or its test binary, see TestMain) serve CALLS live calls as an exchsim
// child instead of measuring anything. The ceiling figures need the
// simulator out of process: the CPU they compare is this process's own,
// and an in-process simulator would add the same server cost to both
// clients and flatten their ratio. Re-executing callbench needs no build.
const childSimEnv = "CALLBENCH_CHILD_SIM"

// serveChildSim runs the simulator if childSimEnv asks for it, and reports
// whether it did. It prints "listening on URL" as cmd/exchsim does, and
// stops on an interrupt or when its standard input closes (the parent
// died or is done).
func serveChildSim() (code int, served bool) {
	spec, ok := os.LookupEnv(childSimEnv)
	if !ok {
		return 0, false
	}
	auth, rest, _ := strings.Cut(spec, ",")
	n, lat, hasLatency := strings.Cut(rest, ",")
	calls, err := strconv.Atoi(n)
	var latency time.Duration
	if hasLatency && err == nil {
		latency, err = time.ParseDuration(lat)
	}
	if err != nil || calls < 1 {
		fmt.Fprintf(os.Stderr, "callbench: %s=%q, want AUTH,CALLS[,LATENCY]\n", childSimEnv, spec)
		return exitUsage, true
	}
	opts := exchsim.Options{
		Calls: connectedCalls(callIDs(calls)), Auth: auth, User: simUser, Password: simPassword, Latency: latency,
	}
	if err := tlsFromEnv().serve(&opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return exitError, true
	}
	srv, err := exchsim.NewServer(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return exitError, true
	}
	defer srv.Close()
	fmt.Printf("listening on %s\n", srv.URL)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	<-ctx.Done()
	return exitOK, true
}

// startSelfSim starts this executable as a simulator child holding the
// first calls of callIDs, with auth, answering after latency.
func startSelfSim(ctx context.Context, auth string, calls int, latency time.Duration) (*childSim, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("callbench: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d,%s", childSimEnv, auth, calls, latency))
	// The pipe's other end closes when this process exits, however it
	// exits, and the child follows.
	if _, err := cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("callbench: %w", err)
	}
	return startSimCmd(ctx, cmd)
}
