package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/callctl/callctl/config"
)

// Issue 12's scale targets: an inventory of 100,000 records, a fifth of
// which the standing filter selects, loads and filters in under 2 s, and
// a plan over every record stays under 150 MB.
const (
	targetInventoryLoad       = 2 * time.Second
	targetInventoryPlanRSS    = 150e6
	inventorySelectEvery      = 5 // every fifth record is a stale outage call
	inventoryPlanTimestamp    = "2026-06-01T12:00:00Z"
	inventoryLoadRuns         = 3
	inventorySelectAllVarName = "select_all"
)

// inventory is the standing-policy figure: loading and filtering an
// inventory in process, then a `callctl plan` child over all of it.
type inventory struct {
	Records  int `json:"records"`
	Selected int `json:"selected"`
	// Load figures are the median of inventoryLoadRuns loads; CPU is the
	// process's user+system time (both cores, the collector included),
	// which a shared machine disturbs less than the wall clock.
	LoadSeconds    float64 `json:"load_seconds"`
	LoadCPUSeconds float64 `json:"load_cpu_seconds"`
	AllocatedBytes uint64  `json:"allocated_bytes"`
	Allocations    uint64  `json:"allocations"`
	// The plan child selects every record.
	PlanCalls   int     `json:"plan_calls"`
	PlanSeconds float64 `json:"plan_seconds"`
	// PlanCPUSeconds is the child's user+system time: what a tighter
	// collector costs, which the shared machine's wall clock hides.
	PlanCPUSeconds   float64 `json:"plan_cpu_seconds"`
	PlanPeakRSSBytes int64   `json:"plan_peak_rss_bytes"`
	PlanExitCode     int     `json:"plan_exit_code"`
	PlanLine         string  `json:"plan_line"`
	SimPeakRSSBytes  int64   `json:"exchsim_peak_rss_bytes"`
}

// inventoryHCL is examples/standing's policy with the simulator's URL for
// both exchanges, and a variable that selects every record for the plan.
const inventoryHCL = `# Written by callbench: examples/standing over a large inventory.

variable "ews_url" {
  type = string
}

variable "select_all" {
  type    = bool
  default = false
}

exchange "corp" {
  url = var.ews_url
%[1]s}

exchange "lon" {
  url = var.ews_url
%[1]s}

data "inventory" "dialer" {
  file = "exports/dialer-calls.jsonl"
}

locals {
  cutoff          = timeadd(plantimestamp(), "-30m")
  emergency_desks = ["+441632960999"]

  stale = {
    for c in data.inventory.dialer.records : c.call_id => c
    if var.select_all || (c.campaign == "outage-notify" &&
    timecmp(c.placed_at, local.cutoff) < 0 &&
    !contains(local.emergency_desks, c.dialled))
  }
}

end_call "stale_dialer" {
  for_each = local.stale
  exchange = each.value.site == "lon" ? exchange.lon : exchange.corp
  call_id  = each.value.call_id
  reason   = "dialer call older than 30 minutes (${each.value.dialled})"
}
`

// writeInventory writes the policy and a JSON-lines export of ids, every
// inventorySelectEvery-th an outage call older than the cutoff, with the
// fields varying as a real log's do.
func writeInventory(dir string, ids []string, auth string) error {
	if err := os.MkdirAll(filepath.Join(dir, "exports"), 0o755); err != nil {
		return fmt.Errorf("callbench: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), fmt.Appendf(nil, inventoryHCL, authHCL(auth)), 0o644); err != nil {
		return fmt.Errorf("callbench: %w", err)
	}
	now, _ := time.Parse(time.RFC3339, inventoryPlanTimestamp)
	return writeFile(filepath.Join(dir, "exports", "dialer-calls.jsonl"), func(w *bufio.Writer) {
		for i, id := range ids {
			campaign, age := "survey", time.Duration(i%29)*time.Minute
			if i%inventorySelectEvery == 0 {
				campaign, age = "outage-notify", 31*time.Minute+time.Duration(i%60)*time.Second
			}
			site := "corp"
			if i%2 == 0 {
				site = "lon"
			}
			fmt.Fprintf(w, `{"call_id": %q, "placed_at": %q, "campaign": %q, "dialled": "+4416329%05d", "site": %q`,
				id, now.Add(-age).Format(time.RFC3339), campaign, i%100000, site)
			if i%7 == 0 {
				fmt.Fprintf(w, `, "agent": "agent-%d"`, i%40)
			}
			w.WriteString("}\n")
		}
	})
}

func (b *bench) inventoryFigure(ctx context.Context) error {
	o := b.o
	root := filepath.Join(b.tmp, "inventory")
	dir := filepath.Join(root, "policy")
	ids := callIDs(o.inventoryRecords)
	if err := writeInventory(dir, ids, o.auth); err != nil {
		return err
	}
	inv := &inventory{Records: o.inventoryRecords}
	// The child first: Linux counts a child's peak RSS from the moment
	// it was forked, and Go forks sharing this process's memory, so a
	// child started after the in-process loads would report at least
	// their footprint.
	if err := b.inventoryPlan(ctx, root, dir, ids, inv); err != nil {
		return err
	}
	if err := inv.measureLoad(dir); err != nil {
		return err
	}
	b.out.rep.Inventory = inv

	note := ""
	if load := time.Duration(inv.LoadCPUSeconds * float64(time.Second)); load >= targetInventoryLoad {
		note += b.out.missed("inventory load", fmt.Sprintf("load+filter CPU %v >= %v", load.Round(time.Millisecond), targetInventoryLoad))
	}
	b.out.linef("inventory: %d records, %d selected: load+filter %.3fs wall, %.3fs CPU (median of %d; target < %v), %.1f MB allocated in %d allocations%s",
		inv.Records, inv.Selected, inv.LoadSeconds, inv.LoadCPUSeconds, inventoryLoadRuns, targetInventoryLoad,
		mb(int64(inv.AllocatedBytes)), inv.Allocations, note)
	note = ""
	if inv.PlanExitCode != 0 {
		note = fmt.Sprintf("; exit %d", inv.PlanExitCode)
	}
	if inv.PlanPeakRSSBytes >= targetInventoryPlanRSS {
		note += b.out.missed("inventory plan", fmt.Sprintf("peak RSS %.1f MB >= %.0f MB", mb(inv.PlanPeakRSSBytes), mb(int64(targetInventoryPlanRSS))))
	}
	b.out.linef("inventory plan: callctl plan of %d calls from the inventory peaked at %.1f MB RSS in %.3fs, %.3fs CPU (target < %.0f MB; exchsim child %.1f MB); %q%s",
		inv.PlanCalls, mb(inv.PlanPeakRSSBytes), inv.PlanSeconds, inv.PlanCPUSeconds, mb(int64(targetInventoryPlanRSS)), mb(inv.SimPeakRSSBytes), inv.PlanLine, note)
	return nil
}

// measureLoad loads the standing policy in process, as plan does before
// its lookups, and keeps the median wall and CPU time of a few loads.
func (inv *inventory) measureLoad(dir string) error {
	opts := config.LoadOptions{
		Vars:    []string{"ews_url=http://127.0.0.1:1/EWS/Exchange.asmx"},
		Environ: []string{passwordEnv + "=" + simPassword, config.PlanTimestampEnv + "=" + inventoryPlanTimestamp},
	}
	var walls, cpus []time.Duration
	for range inventoryLoadRuns {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cpu0, _ := processCPU()
		start := time.Now()
		pol, diags := config.NewLoader().Load(dir, opts)
		wall := time.Since(start)
		cpu1, _ := processCPU()
		runtime.ReadMemStats(&after)
		if diags.HasErrors() {
			return diagError("loading the inventory policy", diags)
		}
		if got := pol.DataSources[0].Records; got != inv.Records {
			return fmt.Errorf("callbench: the inventory policy read %d records, want %d", got, inv.Records)
		}
		inv.Selected = len(pol.Calls)
		inv.AllocatedBytes = after.TotalAlloc - before.TotalAlloc
		inv.Allocations = after.Mallocs - before.Mallocs
		walls, cpus = append(walls, wall), append(cpus, cpu1-cpu0)
	}
	inv.LoadSeconds = medianDuration(walls).Seconds()
	inv.LoadCPUSeconds = medianDuration(cpus).Seconds()
	return nil
}

func medianDuration(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// inventoryPlan runs `callctl plan -var select_all=true` as a child
// against an exchsim child holding every record's call, for its peak RSS.
func (b *bench) inventoryPlan(ctx context.Context, root, dir string, ids []string, inv *inventory) error {
	o := b.o
	bin := filepath.Join(root, "bin")
	if err := buildBinaries(ctx, bin); err != nil {
		return err
	}
	callsFile := filepath.Join(root, "calls.json")
	if err := writeCallsFile(callsFile, ids); err != nil {
		return err
	}
	sim, err := startChildSim(ctx, filepath.Join(bin, "exchsim"), []string{"-listen=127.0.0.1:0", "-calls=" + callsFile,
		"-auth=" + o.auth, "-user=" + simUser, "-password=" + simPassword})
	if err != nil {
		return err
	}
	defer sim.stop()
	outFile := filepath.Join(root, "plan.out")
	out, err := os.Create(outFile)
	if err != nil {
		return fmt.Errorf("callbench: %w", err)
	}
	defer out.Close()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "callctl"), "-chdir="+dir, "plan",
		"-var", "ews_url="+sim.url+"/EWS/Exchange.asmx", "-var", inventorySelectAllVarName+"=true",
		"-parallelism="+strconv.Itoa(o.parallelism), "-no-color")
	cmd.Env = append(os.Environ(), passwordEnv+"="+simPassword, "NO_COLOR=1", config.PlanTimestampEnv+"="+inventoryPlanTimestamp)
	cmd.Stdout, cmd.Stderr = out, &stderr
	start := time.Now()
	runErr := cmd.Run()
	inv.PlanSeconds = time.Since(start).Seconds()
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return fmt.Errorf("callbench: running callctl plan: %w", runErr)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("callbench: interrupted: %w", ctx.Err())
	}
	inv.PlanCalls = len(ids)
	inv.PlanExitCode = cmd.ProcessState.ExitCode()
	inv.PlanLine = planLine(outFile)
	inv.PlanPeakRSSBytes, _ = peakRSS(cmd.ProcessState)
	inv.PlanCPUSeconds = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	if inv.PlanExitCode != 0 {
		return fmt.Errorf("callbench: callctl plan of the inventory exited %d: %s", inv.PlanExitCode, lastLine(stderr.String()))
	}
	inv.SimPeakRSSBytes = sim.stop()
	return nil
}
