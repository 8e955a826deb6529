package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// memoryFigure builds callctl and exchsim, serves -memory-calls live calls
// from an exchsim child, and runs `callctl plan -var-file=...` as a child
// to read its peak RSS from the kernel. In-process figures would mix the
// simulator's memory with the client's.
func (b *bench) memoryFigure(ctx context.Context) error {
	o := b.o
	dir := filepath.Join(b.tmp, "memory")
	bin := filepath.Join(dir, "bin")
	if err := buildBinaries(ctx, bin); err != nil {
		return err
	}
	ids := callIDs(o.memoryCalls)
	fx, err := writeFixture(dir, ids, o.auth)
	if err != nil {
		return err
	}
	callsFile := filepath.Join(dir, "calls.json")
	if err := writeCallsFile(callsFile, ids); err != nil {
		return err
	}

	simArgs := append([]string{"-listen=127.0.0.1:0", "-calls=" + callsFile, "-auth=" + o.auth,
		"-user=" + simUser, "-password=" + simPassword}, o.simFaultFlags()...)
	sim, err := startChildSim(ctx, filepath.Join(bin, "exchsim"), simArgs)
	if err != nil {
		return err
	}
	defer sim.stop()

	outFile := filepath.Join(dir, "plan.out")
	out, err := os.Create(outFile)
	if err != nil {
		return fmt.Errorf("callbench: %w", err)
	}
	defer out.Close()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "callctl"), "-chdir="+fx.dir, "plan",
		"-var-file="+fx.varFile, "-var", "ews_url="+sim.url+"/EWS/Exchange.asmx",
		"-parallelism="+strconv.Itoa(o.parallelism), "-no-color")
	cmd.Env = append(os.Environ(), passwordEnv+"="+simPassword, "NO_COLOR=1")
	cmd.Stdout, cmd.Stderr = out, &stderr
	start := time.Now()
	runErr := cmd.Run()
	elapsed := time.Since(start)
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return fmt.Errorf("callbench: running callctl plan: %w", runErr)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("callbench: interrupted: %w", ctx.Err())
	}
	m := &memory{
		Calls:    o.memoryCalls,
		Seconds:  elapsed.Seconds(),
		ExitCode: cmd.ProcessState.ExitCode(),
		PlanLine: planLine(outFile),
	}
	m.PeakRSSBytes, _ = peakRSS(cmd.ProcessState)
	if m.ExitCode != 0 && !o.faulty() {
		return fmt.Errorf("callbench: callctl plan exited %d: %s", m.ExitCode, lastLine(stderr.String()))
	}
	m.SimPeakRSSBytes = sim.stop()
	b.out.rep.Memory = m

	note := ""
	if m.ExitCode != 0 {
		note = fmt.Sprintf("; exit %d: %s", m.ExitCode, lastLine(stderr.String()))
	}
	if m.PeakRSSBytes >= targetPeakRSSBytes {
		note += b.out.missed("memory", fmt.Sprintf("peak RSS %.1f MB >= %.0f MB", mb(m.PeakRSSBytes), mb(targetPeakRSSBytes)))
	}
	b.out.linef("memory: callctl plan of %d calls peaked at %.1f MB RSS in %.3fs (target < %.0f MB; exchsim child %.1f MB); %q%s",
		m.Calls, mb(m.PeakRSSBytes), m.Seconds, mb(targetPeakRSSBytes), mb(m.SimPeakRSSBytes), m.PlanLine, note)
	return nil
}

func mb[T int64 | float64](n T) float64 { return float64(n) / 1e6 }

// buildBinaries builds cmd/callctl and cmd/exchsim of the module we run
// in into dir.
func buildBinaries(ctx context.Context, dir string) error {
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("callbench: go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if !strings.HasSuffix(strings.TrimSpace(string(gomod)), "go.mod") {
		return errors.New("callbench: the memory and ceiling figures build callctl and exchsim; run callbench inside the callctl module")
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+string(filepath.Separator), "./cmd/callctl", "./cmd/exchsim")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("callbench: building callctl and exchsim: %w\n%s", err, out)
	}
	return nil
}

// childSim is an exchsim child process.
type childSim struct {
	cmd     *exec.Cmd
	url     string
	drained chan struct{}
	stopped bool
	rss     int64
}

// startChildSim starts exchsim and waits for its "listening on URL" line.
func startChildSim(ctx context.Context, exe string, args []string) (*childSim, error) {
	return startSimCmd(ctx, exec.Command(exe, args...))
}

// startSimCmd starts a simulator command and waits for its "listening on
// URL" line.
func startSimCmd(ctx context.Context, cmd *exec.Cmd) (*childSim, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("callbench: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("callbench: starting exchsim: %w", err)
	}
	s := &childSim{cmd: cmd, drained: make(chan struct{})}
	first := make(chan string, 1)
	go func() {
		defer close(s.drained)
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		first <- line
		io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-first:
		if u, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on "); ok {
			s.url = u
			return s, nil
		}
		s.stop()
		return nil, fmt.Errorf("callbench: exchsim did not start: %q %s", line, lastLine(stderr.String()))
	case <-time.After(time.Minute):
	case <-ctx.Done():
	}
	s.stop()
	return nil, errors.New("callbench: exchsim did not start")
}

// stop interrupts the simulator, waits for it and returns its peak RSS.
func (s *childSim) stop() int64 {
	if s.stopped {
		return s.rss
	}
	s.stopped = true
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.drained:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.drained
	}
	s.cmd.Wait()
	s.rss, _ = peakRSS(s.cmd.ProcessState)
	return s.rss
}

// planLine is callctl's "Plan: N to disconnect, ..." summary line.
func planLine(name string) string {
	f, err := os.Open(name)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "Plan: ") {
			return line
		}
	}
	return ""
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
