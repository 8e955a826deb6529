package main

import (
	"os"
	"strings"
	"testing"

	"github.com/callctl/callctl/exchsim"
)

// TestMain lets the test binary serve as the ceiling mode's simulator
// child, as the callbench executable does (childsim.go).
func TestMain(m *testing.M) {
	if code, served := serveChildSim(); served {
		os.Exit(code)
	}
	if code, served := serveChildBare(); served {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func TestCeilingModeComparesWithTheBareClient(t *testing.T) {
	// NTLM also runs the latency-bound half; -latency=0 leaves it out.
	for auth, latency := range map[string]string{exchsim.AuthNTLM: "1ms", exchsim.AuthBasic: "0"} {
		t.Run(auth, func(t *testing.T) {
			lines, rep := runBench(t, "-mode=ceiling", "-cpu-calls=40", "-calls=30", "-latency="+latency, "-parallelism=3", "-auth="+auth)
			c := rep.Ceiling
			if c == nil || c.Calls != 40 || len(c.Rounds) != ceilingRounds {
				t.Fatalf("ceiling figure %+v, want %d rounds of 40 calls", c, ceilingRounds)
			}
			switch l := c.Latency; {
			case latency == "0" && l != nil:
				t.Errorf("latency figures at -latency=0: %+v", l)
			case latency != "0" && (l == nil || l.Calls != 30 || len(l.CalibrationSeconds) != ceilingRounds ||
				l.PlanRatio <= 0 || l.PlanRatioWithLoad < l.PlanRatio || l.BareRatio <= 0 || l.ApplyRatio <= 0):
				t.Errorf("latency figures %+v: want 30 calls, %d calibrations, positive ratios, no less with the load", l, ceilingRounds)
			case latency != "0" && !hasLine(lines, "ceiling at 1ms latency"):
				t.Errorf("no latency line in:\n%s", strings.Join(lines, "\n"))
			}
			for i, r := range c.Rounds {
				if r.LoadSeconds <= 0 || r.LookupSeconds <= 0 || r.BareSeconds <= 0 {
					t.Errorf("round %d: %+v, want every duration positive", i, r)
				}
				// Both clients really ran in this process: each used CPU.
				if _, ok := processCPU(); ok && (r.LookupCPUSeconds <= 0 || r.BareCPUSeconds <= 0) {
					t.Errorf("round %d: %+v, want CPU time for both clients", i, r)
				}
			}
			if c.Ratios.Rate <= 0 || c.Ratios.Time <= 0 || c.Ratios.TimeWithLoad < c.Ratios.Time {
				t.Errorf("ratios %+v: want positive, and more time with the load than without", c.Ratios)
			}
			ch := c.Children
			if ch == nil || len(ch.Rounds) != ceilingRounds || ch.CallctlPlanOutput == "" {
				t.Fatalf("child-process figures %+v, want %d rounds and callctl's plan line", ch, ceilingRounds)
			}
			for i, r := range ch.Rounds {
				if r.CallctlSeconds <= 0 || r.BareSeconds <= 0 {
					t.Errorf("child round %d: %+v, want both processes timed", i, r)
				}
				if _, ok := processCPU(); ok && (r.CallctlCPUSeconds <= 0 || r.BareCPUSeconds <= 0) {
					t.Errorf("child round %d: %+v, want CPU time for both processes", i, r)
				}
			}
			if _, ok := processCPU(); ok && (ch.CPURatio <= 0 || ch.CallctlCPUMicros <= 0 || ch.BareCPUMicros <= 0) {
				t.Errorf("child-process figures %+v: want positive CPU per lookup and ratio", ch)
			}
			for _, prefix := range []string{"ceiling rate (in-process):", "ceiling cpu per lookup (in-process", "ceiling policy load", "ceiling time over bare (in-process):",
				"ceiling (child processes):", "ceiling cpu per lookup (child processes", "ceiling round 1 (child processes)", "ceiling time (child processes)"} {
				if !hasLine(lines, prefix) {
					t.Errorf("no line starting %q in:\n%s", prefix, strings.Join(lines, "\n"))
				}
			}
			if rep.PlanCPU != nil || rep.PlanLatency != nil || rep.Memory != nil {
				t.Errorf("ceiling mode ran other figures: %+v", rep)
			}
		})
	}
}

// The bare client checks what it reads: a call the server does not hold
// is an error, not a lookup.
func TestBareClientRefusesAnUnknownCall(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{Calls: connectedCalls(callIDs(2)), Auth: exchsim.AuthBasic, User: simUser, Password: simPassword})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := bareLookups(t.Context(), srv.EWSURL(), exchsim.AuthBasic, callIDs(2), 2, nil); err != nil {
		t.Fatalf("live calls: %v", err)
	}
	err = bareLookups(t.Context(), srv.EWSURL(), exchsim.AuthBasic, append(callIDs(2), "bm90LWEtY2FsbA=="), 2, nil)
	if err == nil || !strings.Contains(err.Error(), "bm90LWEtY2FsbA==") {
		t.Fatalf("unknown call: err = %v, want one naming it", err)
	}
}

func TestLatencyModeGivesCalibrationRatios(t *testing.T) {
	lines, rep := runBench(t, "-mode=latency", "-calls=20", "-latency=1ms", "-parallelism=2", "-auth=none")
	for name, f := range map[string]*figure{"plan": rep.PlanLatency, "apply": rep.ApplyDisconnects, "plan+disconnect": rep.ApplyFull} {
		if f.CalibrationRatioNoLoad <= 0 || f.CalibrationRatio < f.CalibrationRatioNoLoad {
			t.Errorf("%s: calibration ratios %v with load, %v without; want positive, and no less with the load",
				name, f.CalibrationRatio, f.CalibrationRatioNoLoad)
		}
	}
	if f := rep.PlanLatency; f.LoadSeconds <= 0 || f.CalibrationRatio == f.CalibrationRatioNoLoad {
		t.Errorf("plan: load %vs should separate the two ratios (%v)", f.LoadSeconds, f.CalibrationRatio)
	}
	if !hasLine(lines, "plan latency-bound over calibration: ratio") {
		t.Errorf("no calibration ratio line in:\n%s", strings.Join(lines, "\n"))
	}
}

func TestMedian(t *testing.T) {
	tests := map[string]struct {
		in   []float64
		want float64
	}{
		"none":  {nil, 0},
		"one":   {[]float64{3}, 3},
		"odd":   {[]float64{9, 1, 5}, 5},
		"even":  {[]float64{4, 1, 3, 2}, 2.5},
		"tie":   {[]float64{2, 2, 7}, 2},
		"order": {[]float64{1, 2, 3}, 2},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := median(tt.in); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
