package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// Exit codes. Missing a target is not an error: the figures say so.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// run measures the figures -mode asks for, prints one line per figure and
// then the JSON report, and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errReported):
		return exitUsage
	case err != nil:
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	if err := measure(ctx, o, stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	return exitOK
}

func measure(ctx context.Context, o options, stdout io.Writer) (err error) {
	tmp, err := os.MkdirTemp("", "callbench-")
	if err != nil {
		return fmt.Errorf("callbench: %w", err)
	}
	if o.keep {
		fmt.Fprintf(stdout, "callbench: keeping the scratch directory %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	rep := &report{
		Go:               runtime.Version(),
		Platform:         runtime.GOOS + "/" + runtime.GOARCH,
		NumCPU:           runtime.NumCPU(),
		Mode:             o.mode,
		Calls:            o.calls,
		CPUCalls:         o.cpuCalls,
		MemoryCalls:      o.memoryCalls,
		InventoryRecords: o.inventoryRecords,
		LatencyMS:        float64(o.latency) / 1e6,
		Parallelism:      o.parallelism,
		Auth:             o.auth,
		Fault:            o.fault,
		FaultRate:        o.faultRate,
	}
	if !o.faulty() {
		rep.FaultRate = 0
	}
	if o.https {
		if o.tls, err = newBenchTLS(tmp); err != nil {
			return err
		}
		// Simulator and bare-client children inherit the certificate.
		os.Setenv(tlsEnv, o.tls.env()[len(tlsEnv)+1:])
		defer os.Unsetenv(tlsEnv)
	}
	rep.Transport = o.scheme()
	b := &bench{o: o, tmp: tmp, out: &printer{w: stdout, rep: rep}}
	b.out.linef("callbench: %s %s, %d CPUs (GOMAXPROCS %d); auth %s over %s, parallelism %d, fault %s%s",
		rep.Go, rep.Platform, rep.NumCPU, runtime.GOMAXPROCS(0), o.auth, o.scheme(), o.parallelism, o.fault, rateNote(o))

	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return fmt.Errorf("callbench: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("callbench: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	if o.runs("latency") {
		if err := b.latencyFigures(ctx); err != nil {
			return err
		}
	}
	if o.runs("cpu") {
		if err := b.cpuFigures(ctx); err != nil {
			return err
		}
	}
	if o.runs("ceiling") {
		if err := b.ceilingFigures(ctx); err != nil {
			return err
		}
	}
	if o.runs("memory") {
		if rep.Goroutines == nil {
			if err := b.goroutinesOnly(ctx); err != nil {
				return err
			}
		}
		if err := b.memoryFigure(ctx); err != nil {
			return err
		}
	}
	if o.runs("inventory") {
		if err := b.inventoryFigure(ctx); err != nil {
			return err
		}
	}
	if o.runs("throttled") {
		if err := b.throttledFigure(ctx); err != nil {
			return err
		}
	}
	if n := len(rep.TargetsMissed); n > 0 {
		b.out.linef("%d targets missed", n)
	}
	return b.out.writeJSON()
}

func rateNote(o options) string {
	if !o.faulty() {
		return ""
	}
	s := fmt.Sprintf(" at rate %v", o.faultRate)
	if o.requestTimeout > 0 {
		s += fmt.Sprintf(", request timeout %v", o.requestTimeout)
	}
	return s
}
