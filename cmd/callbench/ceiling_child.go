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
	"strconv"
	"strings"
	"time"
)

// The in-process ceiling (ceiling.go) shares one heap and one garbage
// collector between callctl and the bare client, so each pays a little for
// the other's garbage, and neither pays for start-up or loading. The
// child-process ceiling measures both as an operator runs them: a whole
// `callctl plan` process (start-up, policy and var-file, lookups, the
// rendered plan) against the bare client as its own process, each charged
// the user+system CPU its process used (getrusage of the child).

// childBareEnv, when set to "AUTH,PARALLELISM,URL,IDSFILE", makes the
// callbench executable (or its test binary, see TestMain) look up every id
// of IDSFILE (one a line) with the bare client and exit: 0 when every id
// was a live call, 1 with the error on standard error otherwise.
const childBareEnv = "CALLBENCH_CHILD_BARE"

// serveChildBare runs the bare client if childBareEnv asks for it, and
// reports whether it did.
func serveChildBare() (code int, served bool) {
	spec, ok := os.LookupEnv(childBareEnv)
	if !ok {
		return 0, false
	}
	parts := strings.SplitN(spec, ",", 4)
	if len(parts) != 4 {
		fmt.Fprintf(os.Stderr, "callbench: %s=%q, want AUTH,PARALLELISM,URL,IDSFILE\n", childBareEnv, spec)
		return exitUsage, true
	}
	parallelism, err := strconv.Atoi(parts[1])
	if err != nil || parallelism < 1 {
		fmt.Fprintf(os.Stderr, "callbench: %s: parallelism %q is not a positive number\n", childBareEnv, parts[1])
		return exitUsage, true
	}
	ids, err := readIDs(parts[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return exitError, true
	}
	if err := bareLookups(context.Background(), parts[2], parts[0], ids, parallelism, tlsFromEnv()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return exitError, true
	}
	return exitOK, true
}

// readIDs reads one call id a line.
func readIDs(name string) ([]string, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("callbench: %w", err)
	}
	return strings.Fields(string(data)), nil
}

// writeIDs writes one call id a line, for the bare child.
func writeIDs(name string, ids []string) error {
	return writeFile(name, func(w *bufio.Writer) {
		for _, id := range ids {
			w.WriteString(id)
			w.WriteByte('\n')
		}
	})
}

// ceilingChildRound is one run of each child process.
type ceilingChildRound struct {
	CallctlSeconds    float64 `json:"callctl_seconds"`     // the whole `callctl plan` process
	CallctlCPUSeconds float64 `json:"callctl_cpu_seconds"` // its user+system time
	BareSeconds       float64 `json:"bare_seconds"`        // the whole bare client process
	BareCPUSeconds    float64 `json:"bare_cpu_seconds"`    //
}

// ceilingChildren is the child-process comparison.
type ceilingChildren struct {
	Rounds            []ceilingChildRound `json:"rounds"`
	CallctlCPUMicros  float64             `json:"callctl_cpu_us_per_lookup"` // whole run, start-up and load included
	BareCPUMicros     float64             `json:"bare_cpu_us_per_lookup"`    // whole run
	CPURatio          float64             `json:"cpu_ratio"`                 // median of the rounds' ratios; target <= targetCPURatio
	CallctlPerSecond  float64             `json:"callctl_lookups_per_second"`
	BarePerSecond     float64             `json:"bare_lookups_per_second"`
	TimeRatio         float64             `json:"time_ratio"`
	CallctlPlanOutput string              `json:"callctl_plan_line"`
}

// ceilingChildFigures runs `callctl plan` and the bare client as child
// processes against the simulator at url, ceilingRounds times each,
// alternating which goes first, and prints the medians and the ratio.
func (b *bench) ceilingChildFigures(ctx context.Context, c *ceiling, fx fixture, ids []string, url string) error {
	dir := filepath.Join(b.tmp, "ceiling")
	bin := filepath.Join(dir, "bin")
	if err := buildBinaries(ctx, bin); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("callbench: %w", err)
	}
	idsFile := filepath.Join(dir, "ids.txt")
	if err := writeIDs(idsFile, ids); err != nil {
		return err
	}
	ch := &ceilingChildren{}
	for i := range ceilingRounds {
		var r ceilingChildRound
		callctlFirst := i%2 == 1 // the in-process rounds began with callctl
		for _, callctl := range []bool{callctlFirst, !callctlFirst} {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("callbench: interrupted: %w", err)
			}
			if callctl {
				out := filepath.Join(dir, "plan.out")
				args := append([]string{"-chdir=" + fx.dir, "plan", "-var-file=" + fx.varFile}, b.o.policyVarArgs(url)...)
				args = append(args, "-parallelism="+strconv.Itoa(b.o.parallelism), "-no-color")
				cmd := exec.CommandContext(ctx, filepath.Join(bin, "callctl"), args...)
				cmd.Env = append(os.Environ(), passwordEnv+"="+simPassword, "NO_COLOR=1")
				wall, cpu, err := runChild(cmd, out)
				if err != nil {
					return fmt.Errorf("callbench: callctl plan child: %w", err)
				}
				line := planLine(out)
				if want := fmt.Sprintf("Plan: %d to disconnect", fx.calls); !strings.HasPrefix(line, want) {
					return fmt.Errorf("callbench: callctl plan child printed %q, want %q", line, want)
				}
				ch.CallctlPlanOutput = line
				r.CallctlSeconds, r.CallctlCPUSeconds = wall.Seconds(), cpu.Seconds()
				continue
			}
			cmd := exec.CommandContext(ctx, self)
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d,%s,%s", childBareEnv, b.o.auth, b.o.parallelism, url, idsFile))
			wall, cpu, err := runChild(cmd, os.DevNull)
			if err != nil {
				return fmt.Errorf("callbench: bare client child: %w", err)
			}
			r.BareSeconds, r.BareCPUSeconds = wall.Seconds(), cpu.Seconds()
		}
		ch.Rounds = append(ch.Rounds, r)
	}
	ch.summarise(len(ids))
	c.Children = ch
	b.printCeilingChildren(len(ids), ch)
	return nil
}

// runChild runs cmd with its standard output in the file out and returns
// its wall time and user+system CPU time.
func runChild(cmd *exec.Cmd, out string) (wall, cpu time.Duration, err error) {
	f, err := os.Create(out)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = f, &stderr
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return 0, 0, fmt.Errorf("exit %d: %s", exitErr.ExitCode(), lastLine(stderr.String()))
	}
	if err != nil {
		return 0, 0, err
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

func (ch *ceilingChildren) summarise(calls int) {
	n := float64(calls)
	per := func(f func(r ceilingChildRound) float64) float64 {
		v := make([]float64, len(ch.Rounds))
		for i, r := range ch.Rounds {
			v[i] = f(r)
		}
		return median(v)
	}
	ch.CallctlCPUMicros = per(func(r ceilingChildRound) float64 { return r.CallctlCPUSeconds / n * 1e6 })
	ch.BareCPUMicros = per(func(r ceilingChildRound) float64 { return r.BareCPUSeconds / n * 1e6 })
	ch.CPURatio = per(func(r ceilingChildRound) float64 { return ratio(r.CallctlCPUSeconds, r.BareCPUSeconds) })
	ch.CallctlPerSecond = per(func(r ceilingChildRound) float64 { return n / r.CallctlSeconds })
	ch.BarePerSecond = per(func(r ceilingChildRound) float64 { return n / r.BareSeconds })
	ch.TimeRatio = per(func(r ceilingChildRound) float64 { return r.CallctlSeconds / r.BareSeconds })
}

func (b *bench) printCeilingChildren(calls int, ch *ceilingChildren) {
	b.out.linef("ceiling (child processes): %d lookups at zero latency, a whole `callctl plan -var-file` process and the bare client as its own process, %d interleaved rounds; medians:",
		calls, len(ch.Rounds))
	note := ""
	if ch.BareCPUMicros == 0 {
		note = " (child CPU time is unavailable on this platform)"
	} else if ch.CPURatio > targetCPURatio {
		note = b.out.missed("ceiling cpu per lookup (child processes)", fmt.Sprintf("ratio %.2f > %.2f", ch.CPURatio, targetCPURatio))
	}
	b.out.linef("ceiling cpu per lookup (child processes, user+system, start-up and load included): callctl plan %.1f µs, bare %.1f µs, ratio %.2f (target <= %.2f)%s",
		ch.CallctlCPUMicros, ch.BareCPUMicros, ch.CPURatio, targetCPURatio, note)
	for i, r := range ch.Rounds {
		b.out.linef("ceiling round %d (child processes): callctl plan %.3fs CPU in %.3fs, bare %.3fs CPU in %.3fs, ratio %.2f",
			i+1, r.CallctlCPUSeconds, r.CallctlSeconds, r.BareCPUSeconds, r.BareSeconds, ratio(r.CallctlCPUSeconds, r.BareCPUSeconds))
	}
	b.out.linef("ceiling time (child processes): callctl plan %.0f lookups/s, bare %.0f lookups/s, time ratio %.2f",
		ch.CallctlPerSecond, ch.BarePerSecond, ch.TimeRatio)
}
