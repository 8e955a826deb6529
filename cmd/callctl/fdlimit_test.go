package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callctl/callctl/exchsim"
)

// fdPolicy ends every call calls.jsonl lists, on an NTLM exchange.
const fdPolicy = `
exchange "corp" {
  url = %q
  auth "ntlm" {
    username = "CORP\\alice"
    password = env("CALLCTL_PASSWORD")
  }
}

data "inventory" "calls" {
  file = "calls.jsonl"
}

end_call "listed" {
  for_each = { for r in data.inventory.calls.records : r.call_id => r }
  exchange = exchange.corp
  call_id  = each.value.call_id
}
`

// procFigures reads a process's open descriptors and resident memory.
func procFigures(pid int) (fds int, rssKB int) {
	entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b); m != nil {
		fmt.Sscan(string(m[1]), &rssKB)
	}
	return len(entries), rssKB
}

// 2,000 idle clients on the metrics port of a watch limited to 1,024
// open files leave its cycles unaffected: every cycle while they hold
// their connections succeeds, a call added meanwhile is disconnected,
// and the process never nears its limit, because the metrics server
// holds at most an eighth of it (the others wait in the kernel's accept
// queue, and idle ones are dropped after the read-header timeout).
func TestIdleMetricsClientsDoNotStarveCycles(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 2,000 connections")
	}
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("prlimit (Debian util-linux) is missing")
		}
		t.Skip("prlimit (util-linux) is missing")
	}
	const clients, limit = 2000, 1024
	var calls []exchsim.Call
	var inv strings.Builder
	for i := range 20 {
		id := fmt.Sprintf("c-%02d", i)
		calls = append(calls, exchsim.Call{ID: id, State: "Connected"})
		fmt.Fprintf(&inv, "{\"call_id\":%q}\n", id)
	}
	srv, err := exchsim.NewServer(exchsim.Options{Calls: calls, Auth: exchsim.AuthNTLM, User: `CORP\alice`, Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(fmt.Sprintf(fdPolicy, srv.EWSURL())), 0o644); err != nil {
		t.Fatal(err)
	}
	inventory := filepath.Join(dir, "calls.jsonl")
	if err := os.WriteFile(inventory, []byte(inv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	cmd := exec.Command(prlimit, fmt.Sprintf("--nofile=%d:%d", limit, limit), "--", os.Args[0],
		"-chdir="+dir, "apply", "-auto-approve", "-watch=200ms", "-parallelism=8", "-metrics-addr="+addr)
	cmd.Env = append(os.Environ(), "CALLCTL_TEST_AS_MAIN=1", "CALLCTL_PASSWORD=secret")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var mu sync.Mutex
	var output []string
	cycle := regexp.MustCompile(`cycle (\d+): (\d+) looked up, (\d+) disconnected, (\d+) not found, (\d+) failed`)
	cycleLines := func() []string {
		mu.Lock()
		defer mu.Unlock()
		var c []string
		for _, l := range output {
			if cycle.MatchString(l) {
				c = append(c, l)
			}
		}
		return c
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			mu.Lock()
			output = append(output, sc.Text())
			mu.Unlock()
		}
		io.Copy(io.Discard, out)
	}()
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("no %s in 60s:\n%s\n%s", what, strings.Join(output, "\n"), stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitUntil("first cycle", func() bool { return len(cycleLines()) >= 1 })
	baseFDs, baseRSS := procFigures(cmd.Process.Pid)

	// 2,000 clients connect and send nothing.
	var conns []net.Conn
	var connMu sync.Mutex
	var wg sync.WaitGroup
	var dialFailed int
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 10*time.Second)
			connMu.Lock()
			defer connMu.Unlock()
			if err != nil {
				dialFailed++
				return
			}
			conns = append(conns, c)
		}()
	}
	wg.Wait()
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	before := len(cycleLines())
	time.Sleep(500 * time.Millisecond)
	heldFDs, heldRSS := procFigures(cmd.Process.Pid)

	// A call that appears now is ended by a cycle during the siege.
	resp, err := http.Post(srv.URL+"/_exchsim/calls", "application/json", strings.NewReader(`{"calls":[{"id":"c-new","state":"Connected"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	inv.WriteString("{\"call_id\":\"c-new\"}\n")
	if err := os.WriteFile(inventory+".tmp", []byte(inv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(inventory+".tmp", inventory); err != nil {
		t.Fatal(err)
	}
	waitUntil("disconnect of c-new", func() bool { c, _ := srv.Call("c-new"); return c.State == "Disconnected" })
	time.Sleep(2 * time.Second)
	during := cycleLines()[before:]
	peakFDs, peakRSS := procFigures(cmd.Process.Pid)

	for _, l := range during {
		if m := cycle.FindStringSubmatch(l); m[5] != "0" || strings.Contains(l, "cycle failed") {
			t.Errorf("a cycle failed calls with %d idle clients connected: %s", clients, l)
		}
	}
	if len(during) < 5 {
		t.Errorf("only %d cycles in the 2.5s of the siege (interval 200ms)", len(during))
	}
	mu.Lock()
	all := strings.Join(output, "\n") + stderr.String()
	mu.Unlock()
	if strings.Contains(all, "too many open files") {
		t.Errorf("callctl ran out of file descriptors:\n%s", all)
	}
	if peakFDs > limit/2 {
		t.Errorf("callctl holds %d of its %d descriptors", peakFDs, limit)
	}
	t.Logf("open-file limit %d; %d idle clients connected (%d dials failed); %d cycles during the siege, none failed",
		limit, len(conns), dialFailed, len(during))
	t.Logf("callctl: %d fds / %d kB RSS before, %d fds / %d kB with the clients held, %d fds / %d kB 2.5s later",
		baseFDs, baseRSS, heldFDs, heldRSS, peakFDs, peakRSS)

	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, stderr.String())
	}
}
