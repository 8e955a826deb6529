package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/exchsim"
)

// options are the command line's settings.
type options struct {
	calls            int           // latency mode
	throttledCalls   int           // throttled mode
	throttledRate    float64       // throttled mode: share of requests answered "busy"
	throttledBackoff time.Duration // throttled mode: the back-off those answers ask for
	busyBackoff      time.Duration // BackOffMilliseconds of simulated busy answers; 0 sends none
	cpuCalls         int           // cpu mode, and the goroutine figure
	memoryCalls      int           // memory mode
	inventoryRecords int           // inventory mode
	latency          time.Duration // latency mode; the cpu and memory modes run at zero latency
	parallelism      int
	auth             string
	fault            string
	faultRate        float64
	mode             string
	requestTimeout   time.Duration // 0: the soap default, as callctl uses
	cpuProfile       string
	keep             bool      // keep the scratch directory, for rerunning callctl by hand
	https            bool      // serve the simulators over https (-tls)
	tls              *benchTLS // set by measure when https
}

var (
	modes = []string{"latency", "cpu", "memory", "ceiling", "inventory", "throttled", "all"}
	// Kerberos is left out: its logins need a KDC, which callbench does
	// not start (the soap and exchsim tests run one).
	auths  = slices.DeleteFunc(exchsim.AuthModes(), func(a string) bool { return a == exchsim.AuthKerberos })
	faults = []string{"none", "busy", "unavailable", "reset", "html", "hang"}
)

// errReported stands for a flag error the flag package has already
// printed, with the usage.
var errReported = errors.New("callbench: bad flags")

func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("callbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.calls, "calls", 2000, "calls in the latency-bound runs")
	fs.IntVar(&o.cpuCalls, "cpu-calls", 20000, "calls in the cpu-bound runs (zero latency)")
	fs.IntVar(&o.memoryCalls, "memory-calls", 100000, "calls in the memory run (a callctl plan child process)")
	fs.IntVar(&o.inventoryRecords, "inventory-records", 100000, "records in the inventory mode's JSON-lines export; every fifth is selected by the standing filter")
	fs.DurationVar(&o.latency, "latency", 5*time.Millisecond, "simulator latency per SOAP response in the latency-bound runs")
	fs.IntVar(&o.parallelism, "parallelism", 10, "requests in flight per exchange, as callctl -parallelism")
	fs.StringVar(&o.auth, "auth", exchsim.AuthNTLM, "authentication: "+authkind.OrList(auths, false))
	fs.StringVar(&o.fault, "fault", "none", "fault to inject: none, busy, unavailable, reset, html or hang")
	fs.Float64Var(&o.faultRate, "fault-rate", 0.05, "share of SOAP requests that get -fault")
	fs.StringVar(&o.mode, "mode", "all", "figures to measure: latency, cpu, memory, ceiling, inventory, throttled or all (all leaves out throttled, which takes minutes)")
	fs.IntVar(&o.throttledCalls, "throttled-calls", 300, "calls in the throttled mode")
	fs.Float64Var(&o.throttledRate, "throttled-rate", 0.2, "share of requests answered ErrorServerBusy in the throttled mode")
	fs.DurationVar(&o.throttledBackoff, "throttled-backoff", 2*time.Second, "the back-off those answers ask for (BackOffMilliseconds)")
	fs.DurationVar(&o.requestTimeout, "request-timeout", 0, "client timeout per request; 0 is callctl's own (8s), except 2s with -fault=hang")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the in-process runs to `file`")
	fs.BoolVar(&o.https, "tls", true, "serve the simulators over https with a generated CA that the policy trusts through ca_file, Extended Protection set to allow (callctl's NTLM channel bindings are checked; the bare client sends none); -tls=false for plain http")
	fs.BoolVar(&o.keep, "keep", false, "keep the scratch directory (policies, var-files, binaries) and print its path")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errReported
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("callbench: unexpected argument %q; all settings are flags", fs.Arg(0))
	}
	switch {
	case !slices.Contains(modes, o.mode):
		return o, fmt.Errorf("callbench: unknown -mode %q (want one of %v)", o.mode, modes)
	case !slices.Contains(auths, o.auth):
		return o, fmt.Errorf("callbench: unknown -auth %q (want one of %v)", o.auth, auths)
	case !slices.Contains(faults, o.fault):
		return o, fmt.Errorf("callbench: unknown -fault %q (want one of %v)", o.fault, faults)
	case o.calls < 1 || o.cpuCalls < 1 || o.memoryCalls < 1 || o.inventoryRecords < 1:
		return o, errors.New("callbench: -calls, -cpu-calls, -memory-calls and -inventory-records must be at least 1")
	case o.parallelism < 1:
		return o, errors.New("callbench: -parallelism must be at least 1")
	case o.latency < 0 || o.requestTimeout < 0:
		return o, errors.New("callbench: -latency and -request-timeout must not be negative")
	case !(o.faultRate >= 0 && o.faultRate <= 1):
		return o, fmt.Errorf("callbench: -fault-rate %v, want 0..1", o.faultRate)
	}
	if o.fault == "hang" && o.requestTimeout == 0 {
		// Every hung request costs the client its whole timeout; at 8s
		// each a run would take many minutes and measure only that.
		o.requestTimeout = 2 * time.Second
	}
	return o, nil
}

// runs reports whether the given mode's figures are wanted.
func (o options) runs(mode string) bool {
	return o.mode == mode || o.mode == "all" && mode != "throttled"
}

// faulty reports whether faults are injected; failures are then outcomes
// to report, not errors.
func (o options) faulty() bool { return o.fault != "none" && o.faultRate > 0 }

// simFaults turns -fault and -fault-rate into simulator knobs. The seed is
// fixed so that the same requests fault from run to run.
func (o options) simFaults() exchsim.Faults {
	f := exchsim.Faults{Seed: 1}
	if !o.faulty() {
		return f
	}
	switch o.fault {
	case "busy":
		f.ServerBusyRate = o.faultRate
		f.BackOff = o.busyBackoff
	case "unavailable":
		f.UnavailableRate = o.faultRate
	case "reset":
		f.ResetRate = o.faultRate
	case "html":
		f.HTMLErrorRate = o.faultRate
	case "hang":
		f.HangRate = o.faultRate
	}
	return f
}

// simFaultFlags are the same knobs as cmd/exchsim flags.
func (o options) simFaultFlags() []string {
	if !o.faulty() {
		return nil
	}
	name := map[string]string{
		"busy": "-busy-rate", "unavailable": "-unavailable-rate", "reset": "-reset-rate",
		"html": "-html-error-rate", "hang": "-hang-rate",
	}[o.fault]
	return []string{fmt.Sprintf("%s=%v", name, o.faultRate), "-seed=1"}
}
