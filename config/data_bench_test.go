//go:build unix

package config

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// writeScaleInventory writes n dialer records, every fifth one in the
// outage campaign and old enough to end, with the fields varying as a
// real log's do.
func writeScaleInventory(tb testing.TB, dir string, n int) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "exports"), 0o755); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "exports", "dialer-calls.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	base := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		campaign, age := "survey", time.Duration(i%50)*time.Minute
		if i%5 == 0 {
			campaign, age = "outage-notify", 31*time.Minute+time.Duration(i%60)*time.Second
		}
		site := "corp"
		if i%2 == 0 {
			site = "lon"
		}
		fmt.Fprintf(w, `{"call_id": "dlr-%07d", "placed_at": %q, "campaign": %q, "dialled": "+4416329%05d", "site": %q`,
			i, base.Add(-age).Format(time.RFC3339), campaign, i%100000, site)
		if i%7 == 0 {
			fmt.Fprintf(w, `, "agent": "agent-%d"`, i%40)
		}
		w.WriteString("}\n")
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	src, err := os.ReadFile("../examples/standing/main.hcl")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), src, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkStandingInventory loads the standing example over a 100,000
// record inventory of which the for_each filter selects 20,000, and
// reports the figures issue 12 asks for. Run it with
//
//	go test ./config -run '^$' -bench StandingInventory -benchtime 3x
//
// ns/op is load+filter time (wall clock), cpu-ms/op the CPU it used
// (both cores, with the garbage collector), read-ms/op the part spent
// reading and parsing the inventory; live-MB is the heap still held with the
// policy loaded, alloc-MB what the load allocated in all.
func BenchmarkStandingInventory(b *testing.B) {
	dir := b.TempDir()
	const n = 100_000
	writeScaleInventory(b, dir, n)
	opts := LoadOptions{Environ: []string{"CALLCTL_PASSWORD=x", PlanTimestampEnv + "=2026-06-01T12:00:00Z"}}
	var pol *Policy
	var live uint64
	var read time.Duration
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		pol = nil
		runtime.GC()
		p, diags := NewLoader().Load(dir, opts)
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		pol = p
		read += p.DataSources[0].Duration
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		live = max(live, ms.HeapAlloc)
	}
	cpu := cpuTime() - cpu0
	if got := pol.DataSources[0].Records; got != n {
		b.Fatalf("read %d records, want %d", got, n)
	}
	if got := len(pol.Calls); got != n/5 {
		b.Fatalf("selected %d calls, want %d", got, n/5)
	}
	b.ReportMetric(float64(n), "records")
	b.ReportMetric(float64(len(pol.Calls)), "calls")
	b.ReportMetric(float64(live)/(1<<20), "live-MB")
	b.ReportMetric(float64(runtime.NumCPU()), "cpus")
	b.ReportMetric(float64(read.Milliseconds())/float64(b.N), "read-ms/op")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		// Linux reports KiB. The whole test process: an upper bound on
		// what loading the policy needs.
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-rss-MB")
	}
}

// cpuTime is the process's user+system CPU time so far: on a shared
// machine it says what a load costs better than the wall clock does.
// It includes the garbage collector's work on other cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
