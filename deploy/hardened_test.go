package deploy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callctl/callctl/exchsim"
)

// serviceUID stands for User=callctl: an unprivileged user (nobody).
const serviceUID = 65534

// The unit's ExecStart, run as systemd would run it: as an unprivileged
// user, with no new privileges and no capabilities, from the policy
// checkout, with the whole filesystem read-only but the state directory
// (ProtectSystem=strict, StateDirectory=). It must apply the policy,
// answer /readyz, journal into the state directory, leave the checkout
// untouched and stop cleanly on SIGTERM. unshare and setpriv (Debian's
// util-linux) build the sandbox; it takes root.
func TestUnitRunsHardened(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to sandbox a process as another user")
	}
	unshare := tool(t, "unshare", "util-linux")
	setpriv := tool(t, "setpriv", "util-linux")
	u := parseUnit(t, unitPath)
	root := fixtureRoot(t, u)
	args := execStart(t, u)

	// The real callctl at the unit's path.
	bin := filepath.Join(root, args[0])
	os.Remove(bin) // the stub
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/callctl/callctl/cmd/callctl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The service user must reach the layout; t.TempDir's are 0700.
	for _, dir := range []string{filepath.Dir(root), root} {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o755)
		}
		return err
	})

	sim, err := exchsim.NewServer(exchsim.Options{
		Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}},
		Auth:  exchsim.AuthNTLM, User: `CORP\svc-callctl`, Password: "s3rvice-pw",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()

	// The checkout, owned by root: read-only to the service user.
	checkout := filepath.Join(root, u.one(t, "Service", "WorkingDirectory"))
	policy := fmt.Sprintf(`exchange "corp" {
  url = %q
  auth "ntlm" {
    username = "CORP\\svc-callctl"
    password = env("CALLCTL_PASSWORD")
  }
}

end_call "stuck" {
  exchange = exchange.corp
  call_id  = "c-1"
}
`, sim.EWSURL())
	if err := os.WriteFile(filepath.Join(checkout, "main.hcl"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	// The environment file, as the operator fills it in.
	envFile := filepath.Join(root, u.one(t, "Service", "EnvironmentFile"))
	env := parseEnvFile(t, envFile)
	env["CALLCTL_PASSWORD"] = "s3rvice-pw"
	// StateDirectory=, StateDirectoryMode=: systemd creates it for User=.
	stateDir := filepath.Join(root, "/var/lib/"+u.one(t, "Service", "StateDirectory"))
	if err := os.Chown(stateDir, serviceUID, serviceUID); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(stateDir, 0o700); err != nil {
		t.Fatal(err)
	}

	// ExecStart with its paths in the layout and a free metrics port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	argv := []string{bin}
	for _, a := range args[1:] {
		switch {
		case strings.HasPrefix(a, "-metrics-addr="):
			a = "-metrics-addr=" + metricsAddr
		case strings.Contains(a, "=/"):
			name, value, _ := strings.Cut(a, "=")
			a = name + "=" + filepath.Join(root, value)
		}
		argv = append(argv, a)
	}
	sandbox := `mount --bind -o ro / / && mount --bind "$1" "$1" && mount -o remount,bind,rw "$1" && shift && exec "$@"`
	cmd := exec.Command(unshare, append([]string{"--mount", "--propagation", "private", "--", "sh", "-c", sandbox, "sh", stateDir,
		setpriv, fmt.Sprintf("--reuid=%d", serviceUID), fmt.Sprintf("--regid=%d", serviceUID), "--clear-groups",
		"--no-new-privs", "--bounding-set=-all", "--inh-caps=-all", "--"}, argv...)...)
	cmd.Dir = checkout
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var out []string
	deadline := time.After(60 * time.Second)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("callctl exited before its first cycle:\n%s\n%s", strings.Join(out, "\n"), stderr.String())
			}
			out = append(out, l)
			if strings.Contains(l, "cycle 1:") {
				break wait
			}
		case <-deadline:
			t.Fatalf("no cycle within 60s:\n%s\n%s", strings.Join(out, "\n"), stderr.String())
		}
	}
	if !strings.Contains(out[len(out)-1], "1 disconnected") {
		t.Errorf("first cycle: %s\n%s", strings.Join(out, "\n"), stderr.String())
	}
	resp, err := http.Get("http://" + metricsAddr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz %d: %s", resp.StatusCode, body)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	for l := range lines {
		out = append(out, l)
	}
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 0 && code != 4 {
		t.Errorf("exit %d (%v) on SIGTERM; the unit counts 0 and 4 as success:\n%s\n%s", code, err, strings.Join(out, "\n"), stderr.String())
	}
	if c, _ := sim.Call("c-1"); c.State != "Disconnected" {
		t.Errorf("c-1 is %s", c.State)
	}
	fi, err := os.Stat(filepath.Join(stateDir, "journal.jsonl"))
	if err != nil {
		t.Fatalf("no journal in the state directory: %v", err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != serviceUID || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal owned by %d with mode %v", st.Uid, fi.Mode().Perm())
	}
	if _, err := os.Lstat(filepath.Join(checkout, ".callctl")); err == nil {
		t.Error("callctl wrote .callctl/ into the policy checkout")
	}
	t.Logf("sandboxed service output:\n%s", strings.Join(out, "\n"))
}
