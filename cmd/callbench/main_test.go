package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/journal"
)

// runBench runs callbench with args and returns its human lines and the
// decoded JSON report from the last line. Nothing here asserts on time:
// only on what the runs did.
func runBench(t *testing.T, args ...string) ([]string, *report) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("callbench %s: exit %d, stderr:\n%s\nstdout:\n%s", strings.Join(args, " "), code, &stderr, &stdout)
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	var rep report
	dec := json.NewDecoder(strings.NewReader(lines[len(lines)-1]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("last line is not the JSON report: %v\n%s", err, stdout.String())
	}
	return lines[:len(lines)-1], &rep
}

// hasLine reports whether some line starts with prefix.
func hasLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func allDisconnected(n int) *journal.RunCounts {
	return &journal.RunCounts{Disconnected: n}
}

func TestLatencyModeDisconnectsEveryCall(t *testing.T) {
	for _, auth := range []string{exchsim.AuthNTLM, exchsim.AuthBasic, exchsim.AuthNone} {
		t.Run(auth, func(t *testing.T) {
			const calls, parallelism = 50, 4
			lines, rep := runBench(t, "-mode=latency", "-calls=50", "-latency=1ms", "-parallelism=4", "-auth="+auth)

			for _, prefix := range []string{"calibration", "plan latency-bound:", "apply latency-bound (disconnects only):",
				"apply latency-bound (plan+disconnect, as callctl apply):", "connections (plan):"} {
				if !hasLine(lines, prefix) {
					t.Errorf("no line starting %q in:\n%s", prefix, strings.Join(lines, "\n"))
				}
			}
			if rep.PlanLatency == nil || rep.ApplyDisconnects == nil || rep.ApplyFull == nil || rep.Calibration == nil {
				t.Fatalf("latency figures missing: %+v", rep)
			}
			wantPlan := &planCounts{ToDisconnect: calls}
			if diff := cmp.Diff(wantPlan, rep.PlanLatency.Plan); diff != "" {
				t.Errorf("plan summary (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(allDisconnected(calls), rep.ApplyDisconnects.Outcomes); diff != "" {
				t.Errorf("apply (disconnects only) outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(allDisconnected(calls), rep.ApplyFull.Outcomes); diff != "" {
				t.Errorf("apply (plan+disconnect) outcomes (-want +got):\n%s", diff)
			}
			// The floors are arithmetic on the flags, not measurements.
			if got, want := rep.PlanLatency.FloorSeconds, (calls * time.Millisecond / parallelism).Seconds(); got != want {
				t.Errorf("plan floor %v, want %v", got, want)
			}
			if got, want := rep.ApplyFull.FloorSeconds, (2 * calls * time.Millisecond / parallelism).Seconds(); got != want {
				t.Errorf("plan+disconnect floor %v, want %v", got, want)
			}

			// The server saw one lookup and one disconnect per call, on
			// at most parallelism connections, each authenticated once.
			for name, st := range map[string]exchsim.Stats{"plan": rep.PlanLatency.Server, "plan+disconnect": rep.ApplyFull.Server} {
				if st.Connections < 1 || st.Connections > parallelism {
					t.Errorf("%s: %d connections, want 1..%d", name, st.Connections, parallelism)
				}
				wantHandshakes := int64(0)
				if auth == exchsim.AuthNTLM {
					wantHandshakes = st.Connections
				}
				if st.NTLMHandshakes != wantHandshakes {
					t.Errorf("%s: %d NTLM handshakes on %d connections, want %d", name, st.NTLMHandshakes, st.Connections, wantHandshakes)
				}
				// Over https (the default) every NTLM login carries the
				// channel binding of the simulator's certificate.
				if st.CBTValid != wantHandshakes || st.CBTMismatch != 0 {
					t.Errorf("%s: %d logins with the channel binding (%d mismatched), want %d", name, st.CBTValid, st.CBTMismatch, wantHandshakes)
				}
			}
			if rep.Transport == "" || !strings.HasPrefix(rep.Transport, "https") {
				t.Errorf("transport %q, want https by default", rep.Transport)
			}
			wantReqs := map[string]int64{"GetPhoneCallInformation": calls, "DisconnectPhoneCall": calls}
			if diff := cmp.Diff(wantReqs, rep.ApplyFull.Server.Requests); diff != "" {
				t.Errorf("plan+disconnect requests (-want +got):\n%s", diff)
			}
			if rep.ApplyDisconnects.Server.Connections != 0 {
				t.Errorf("apply opened %d connections; it should reuse the plan's", rep.ApplyDisconnects.Server.Connections)
			}
		})
	}
}

func TestCPUModeReportsRatesAndGoroutines(t *testing.T) {
	lines, rep := runBench(t, "-mode=cpu", "-cpu-calls=60", "-parallelism=3")
	if rep.PlanCPU == nil || rep.ApplyCPU == nil || rep.Goroutines == nil {
		t.Fatalf("cpu figures missing: %+v", rep)
	}
	if diff := cmp.Diff(allDisconnected(60), rep.ApplyCPU.Outcomes); diff != "" {
		t.Errorf("apply outcomes (-want +got):\n%s", diff)
	}
	if rep.PlanCPU.PerSecond <= 0 || rep.ApplyCPU.PerSecond <= 0 {
		t.Errorf("rates %v and %v, want positive", rep.PlanCPU.PerSecond, rep.ApplyCPU.PerSecond)
	}
	if g := rep.Goroutines; g.Max < g.Baseline || g.Bound != g.Baseline+goroutinesPerWorker*3+goroutinesSlack {
		t.Errorf("goroutines %+v: max below baseline or wrong bound", g)
	}
	if !hasLine(lines, "goroutines: max") || rep.PlanLatency != nil || rep.Memory != nil {
		t.Errorf("cpu mode ran other figures or printed no goroutine line:\n%s", strings.Join(lines, "\n"))
	}
}

// Injected faults are outcomes to report, not errors: the run exits 0 and
// the figures show the faults the server injected.
func TestFaultsAreReportedNotFatal(t *testing.T) {
	_, rep := runBench(t, "-mode=latency", "-calls=40", "-latency=0", "-auth=none", "-fault=busy", "-fault-rate=0.3")
	if rep.Fault != "busy" || rep.FaultRate != 0.3 {
		t.Errorf("report says fault %q at %v, want busy at 0.3", rep.Fault, rep.FaultRate)
	}
	if n := rep.PlanLatency.Server.Faults[exchsim.FaultServerBusy]; n == 0 {
		t.Errorf("the server injected no ErrorServerBusy into the plan: %+v", rep.PlanLatency.Server)
	}
}

func TestMemoryModeRunsCallctlAsAChild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds callctl and exchsim")
	}
	lines, rep := runBench(t, "-mode=memory", "-memory-calls=300", "-cpu-calls=30")
	m := rep.Memory
	if m == nil {
		t.Fatalf("no memory figure:\n%s", strings.Join(lines, "\n"))
	}
	if want := "Plan: 300 to disconnect, 0 already ended, 0 not found."; m.PlanLine != want || m.ExitCode != 0 {
		t.Errorf("callctl plan: exit %d, summary %q; want exit 0, %q", m.ExitCode, m.PlanLine, want)
	}
	if m.PeakRSSBytes <= 0 || m.SimPeakRSSBytes <= 0 {
		t.Errorf("peak RSS callctl %d, exchsim %d; want both positive", m.PeakRSSBytes, m.SimPeakRSSBytes)
	}
	if rep.Goroutines == nil || rep.Goroutines.Calls != 30 {
		t.Errorf("memory mode alone should measure goroutines over -cpu-calls: %+v", rep.Goroutines)
	}
}

func TestInventoryModeLoadsFiltersAndPlans(t *testing.T) {
	if testing.Short() {
		t.Skip("builds callctl and exchsim")
	}
	lines, rep := runBench(t, "-mode=inventory", "-inventory-records=500", "-auth=basic")
	inv := rep.Inventory
	if inv == nil || !hasLine(lines, "inventory: 500 records, 100 selected") || !hasLine(lines, "inventory plan:") {
		t.Fatalf("no inventory figures:\n%s", strings.Join(lines, "\n"))
	}
	if inv.Records != 500 || inv.Selected != 100 || inv.PlanCalls != 500 {
		t.Errorf("records %d, selected %d, plan calls %d; want 500, 100, 500", inv.Records, inv.Selected, inv.PlanCalls)
	}
	if want := "Plan: 500 to disconnect, 0 already ended, 0 not found."; inv.PlanLine != want || inv.PlanExitCode != 0 {
		t.Errorf("callctl plan: exit %d, summary %q; want exit 0, %q", inv.PlanExitCode, inv.PlanLine, want)
	}
	if inv.PlanPeakRSSBytes <= 0 || inv.PlanCPUSeconds <= 0 || inv.AllocatedBytes == 0 || inv.Allocations == 0 || inv.LoadCPUSeconds <= 0 {
		t.Errorf("figures missing: %+v", inv)
	}
	if rep.Memory != nil || rep.PlanLatency != nil {
		t.Errorf("inventory mode ran other modes: %+v", rep)
	}
}

func TestParseArgs(t *testing.T) {
	tests := map[string]struct {
		args    []string
		wantErr string
		check   func(t *testing.T, o options)
	}{
		"defaults": {
			check: func(t *testing.T, o options) {
				want := options{calls: 2000, cpuCalls: 20000, memoryCalls: 100000, inventoryRecords: 100000, latency: 5 * time.Millisecond,
					parallelism: 10, auth: "ntlm", fault: "none", faultRate: 0.05, mode: "all", https: true,
					throttledCalls: 300, throttledRate: 0.2, throttledBackoff: 2 * time.Second}
				if diff := cmp.Diff(want, o, cmp.AllowUnexported(options{})); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			},
		},
		"hang gets a short timeout": {
			args: []string{"-fault=hang"},
			check: func(t *testing.T, o options) {
				if o.requestTimeout != 2*time.Second {
					t.Errorf("request timeout %v, want 2s", o.requestTimeout)
				}
			},
		},
		"fault flags for the child simulator": {
			args: []string{"-fault=reset", "-fault-rate=0.1"},
			check: func(t *testing.T, o options) {
				if diff := cmp.Diff([]string{"-reset-rate=0.1", "-seed=1"}, o.simFaultFlags()); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				if f := o.simFaults(); f.ResetRate != 0.1 || f.ServerBusyRate != 0 {
					t.Errorf("simFaults %+v", f)
				}
			},
		},
		"unknown mode":      {args: []string{"-mode=fast"}, wantErr: `unknown -mode "fast"`},
		"unknown auth":      {args: []string{"-auth=digest"}, wantErr: `unknown -auth "digest"`},
		"unknown fault":     {args: []string{"-fault=fire"}, wantErr: `unknown -fault "fire"`},
		"zero parallelism":  {args: []string{"-parallelism=0"}, wantErr: "-parallelism must be at least 1"},
		"zero calls":        {args: []string{"-calls=0"}, wantErr: "must be at least 1"},
		"zero records":      {args: []string{"-inventory-records=0"}, wantErr: "must be at least 1"},
		"rate above one":    {args: []string{"-fault-rate=1.5"}, wantErr: "-fault-rate 1.5"},
		"negative latency":  {args: []string{"-latency=-1ms"}, wantErr: "must not be negative"},
		"stray argument":    {args: []string{"extra"}, wantErr: `unexpected argument "extra"`},
		"flag syntax error": {args: []string{"-calls=many"}, wantErr: errReported.Error()},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			o, err := parseArgs(tt.args, &bytes.Buffer{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, o)
		})
	}
}

func TestCallIDsAreDistinctAndStable(t *testing.T) {
	a, b := callIDs(500), callIDs(500)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("ids differ between runs (-first +second):\n%s", diff)
	}
	seen := map[string]bool{}
	for _, id := range a {
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

// The throttled mode ends every call under busy answers with a back-off
// and prints its figure beside the floor and the fault-free time.
func TestThrottledModeEndsEveryCall(t *testing.T) {
	lines, rep := runBench(t, "-mode=throttled", "-throttled-calls=30", "-throttled-backoff=20ms", "-latency=1ms", "-auth=none", "-tls=false")
	if !hasLine(lines, "throttled: 30 calls at 20% busy") {
		t.Errorf("no throttled line in:\n%s", strings.Join(lines, "\n"))
	}
	f := rep.Throttled
	if f == nil {
		t.Fatal("no throttled figure")
	}
	if f.Disconnected != 30 || f.BusyAnswers == 0 || f.FloorSeconds <= 0 || f.FaultFreeSeconds <= 0 {
		t.Errorf("throttled figure %+v: want all 30 ended under busy answers, a floor and a fault-free time", f)
	}
}

// The floor: 300 calls, 20% busy, 2 s back-off, 10 lanes, 5 ms latency:
// 750 sends, 150 of them busy, 2.8 sharing each back-off: 53.6 back-offs,
// 107.1 s, plus 75 rounds of 5 ms.
func TestThrottledFloor(t *testing.T) {
	floor, busy, waits := throttledFloor(300, 0.2, 2*time.Second, 5*time.Millisecond, 10)
	if math.Abs(busy-150) > 1e-9 || math.Abs(waits-53.571) > 0.001 || (floor-107518*time.Millisecond).Abs() > time.Millisecond {
		t.Errorf("floor %s, busy %v, back-offs %v", floor, busy, waits)
	}
}
