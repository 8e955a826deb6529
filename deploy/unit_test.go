// Package deploy holds the tests of the shipped deployment recipe: the
// systemd unit and its environment file (systemd/), and the Prometheus
// alert rules (prometheus/). In CI (CI set) a missing systemd-analyze or
// promtool fails the tests; elsewhere they are skipped.
package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	unitPath = "systemd/callctl-watch.service"
	envPath  = "systemd/callctl-watch.env.example"
)

// tool returns the path of a program the tests need: in CI its absence
// fails the test, elsewhere it skips it.
func tool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: install Debian's %s (.ci/run does)", name, debianPackage)
		}
		t.Skipf("%s is missing (Debian package %s)", name, debianPackage)
	}
	return path
}

// unit is a parsed unit file: each section's settings in order.
type unit map[string][]setting

type setting struct {
	key, value string
	line       int
}

// get returns every value given to key in section, in order.
func (u unit) get(section, key string) []string {
	var out []string
	for _, s := range u[section] {
		if s.key == key {
			out = append(out, s.value)
		}
	}
	return out
}

// one returns key's single value in section, failing unless there is
// exactly one.
func (u unit) one(t *testing.T, section, key string) string {
	t.Helper()
	v := u.get(section, key)
	if len(v) != 1 {
		t.Fatalf("[%s] %s is given %d times, want once", section, key, len(v))
	}
	return v[0]
}

// trailingComment finds what systemd would take for part of a value but
// a reader for a comment: systemd allows comments only on lines of their
// own, so "EnvironmentFile=/etc/x.env  # mode 0600" names a file called
// "/etc/x.env  # mode 0600", and systemd-analyze verify does not notice.
var trailingComment = regexp.MustCompile(`\s[#;]`)

func parseUnit(t *testing.T, path string) unit {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Errorf("%s:%d: not a setting: %q", path, n, line)
				continue
			}
			if strings.HasSuffix(value, `\`) {
				t.Errorf("%s:%d: a continued line; keep every setting on one line so that the README and the tests read it as systemd does", path, n)
			}
			if trailingComment.MatchString(value) {
				t.Errorf("%s:%d: %s= has what looks like a trailing comment (%q); systemd takes it as part of the value. Put comments on lines of their own.", path, n, key, value)
			}
			u[section] = append(u[section], setting{strings.TrimSpace(key), strings.TrimSpace(value), n})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

// parseEnvFile reads an EnvironmentFile as systemd does: NAME=value
// lines, comments only on lines of their own.
func parseEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok || !regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`).MatchString(name) {
			t.Errorf("%s:%d: not NAME=value: %q", path, n+1, line)
			continue
		}
		if trailingComment.MatchString(value) {
			t.Errorf("%s:%d: %s has what looks like a trailing comment; it would be part of the value", path, n+1, name)
		}
		env[name] = value
	}
	return env
}

// execStart splits ExecStart as systemd does for a line without quotes
// or variables, which the test insists on.
func execStart(t *testing.T, u unit) []string {
	t.Helper()
	cmd := u.one(t, "Service", "ExecStart")
	if strings.ContainsAny(cmd, `"'$%\`) {
		t.Fatalf("ExecStart=%s: keep it free of quotes, variables and specifiers, so that it reads the same everywhere", cmd)
	}
	return strings.Fields(cmd)
}

// flagValue returns -name=VALUE's value in args.
func flagValue(args []string, name string) (string, bool) {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "-"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// The unit says what a reader of it believes: no trailing comments, a
// state directory that callctl is told to use (so the checkout stays
// read-only), exit 4 a success, and the hardening.
func TestUnitSettings(t *testing.T) {
	u := parseUnit(t, unitPath)
	parseEnvFile(t, envPath)
	args := execStart(t, u)
	if !slices.Equal(args[1:3], []string{"apply", "-auto-approve"}) {
		t.Errorf("ExecStart runs %v, want callctl apply -auto-approve ...", args)
	}
	for _, flag := range []string{"watch", "deadline", "metrics-addr"} {
		if _, ok := flagValue(args, flag); !ok {
			t.Errorf("ExecStart has no -%s", flag)
		}
	}
	stateDir, ok := flagValue(args, "state-dir")
	if want := "/var/lib/" + u.one(t, "Service", "StateDirectory"); !ok || stateDir != want {
		t.Errorf("-state-dir=%q, want StateDirectory's %s, which systemd creates for the service user", stateDir, want)
	}
	if mode := u.one(t, "Service", "StateDirectoryMode"); mode != "0700" {
		t.Errorf("StateDirectoryMode=%s: callctl refuses a state directory others can write, and the journal is private", mode)
	}
	work := u.one(t, "Service", "WorkingDirectory")
	if strings.HasPrefix(work, stateDir) {
		t.Errorf("WorkingDirectory=%s is in the state directory", work)
	}
	for _, key := range []string{"ReadWritePaths", "ReadWriteDirectories"} {
		for _, p := range u.get("Service", key) {
			if strings.HasPrefix(work, p) {
				t.Errorf("%s=%s makes the policy checkout writable", key, p)
			}
		}
	}
	if !slices.Contains(strings.Fields(strings.Join(u.get("Service", "SuccessExitStatus"), " ")), "4") {
		t.Error("SuccessExitStatus does not include 4: a stop after a partly failed cycle would count as a failure")
	}
	for key, want := range map[string]string{
		"NoNewPrivileges":       "yes",
		"ProtectSystem":         "strict",
		"ProtectHome":           "yes",
		"PrivateTmp":            "yes",
		"PrivateDevices":        "yes",
		"CapabilityBoundingSet": "",
		"KillSignal":            "SIGTERM",
		"Restart":               "on-failure",
		"User":                  "callctl",
	} {
		if got := u.one(t, "Service", key); got != want {
			t.Errorf("%s=%s, want %s", key, got, want)
		}
	}
}

// Every path the unit names exists in a layout of the installed system
// (fixture), built as the README's "Running continuously" says; and
// systemd-analyze verify accepts the unit there.
func TestUnitVerify(t *testing.T) {
	analyze := tool(t, "systemd-analyze", "systemd")
	u := parseUnit(t, unitPath)
	root := fixtureRoot(t, u)

	for _, p := range unitPaths(t, u) {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("the unit names %s, missing from the installed layout: %v", p, err)
		}
	}

	cmd := exec.Command(analyze, "verify", "--man=no", "--root="+root, "/etc/systemd/system/callctl-watch.service")
	out, err := cmd.CombinedOutput()
	// verify exits 0 on unknown keys and bad values, which it only
	// prints: any word about the unit is a failure.
	if err != nil || strings.Contains(string(out), "callctl-watch.service") {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// unitPaths lists the absolute paths the unit names: the program, the
// working directory, the environment file (its "-" prefix means
// optional; ours is not), and the files and directories ExecStart's
// flags name.
func unitPaths(t *testing.T, u unit) []string {
	t.Helper()
	args := execStart(t, u)
	paths := []string{args[0], u.one(t, "Service", "WorkingDirectory")}
	for _, f := range u.get("Service", "EnvironmentFile") {
		if strings.HasPrefix(f, "-") {
			t.Errorf("EnvironmentFile=%s is optional: without it the password is empty and every login is refused", f)
		}
		paths = append(paths, strings.TrimPrefix(f, "-"))
	}
	for _, a := range args[1:] {
		if _, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(v, "/") {
			paths = append(paths, v)
		}
	}
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			t.Errorf("%s is not absolute", p)
		}
	}
	return paths
}

// fixtureRoot lays out the installed system under a temporary root:
// the unit in /etc/systemd/system, callctl in /usr/local/bin (a stub:
// verify only checks it is executable), the policy checkout and the
// environment file, the state directory StateDirectory= creates, /tmp,
// and the distribution's targets for the unit's dependencies.
func fixtureRoot(t *testing.T, u unit) string {
	t.Helper()
	root := t.TempDir()
	args := execStart(t, u)
	mkdir := func(p string) {
		if err := os.MkdirAll(filepath.Join(root, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p string, b []byte, mode os.FileMode) {
		mkdir(filepath.Dir(p))
		if err := os.WriteFile(filepath.Join(root, p), b, mode); err != nil {
			t.Fatal(err)
		}
	}
	unitText, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	envText, err := os.ReadFile(envPath)
	if err != nil {
		t.Fatal(err)
	}
	write("/etc/systemd/system/callctl-watch.service", unitText, 0o644)
	write(args[0], []byte("#!/bin/sh\n"), 0o755)
	mkdir(u.one(t, "Service", "WorkingDirectory"))
	write(u.one(t, "Service", "EnvironmentFile"), envText, 0o600)
	mkdir("/var/lib/" + u.one(t, "Service", "StateDirectory"))
	mkdir("/tmp")
	targets, _ := filepath.Glob("/usr/lib/systemd/system/*.target")
	if len(targets) == 0 {
		targets, _ = filepath.Glob("/lib/systemd/system/*.target")
	}
	for _, src := range targets {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		write("/usr/lib/systemd/system/"+filepath.Base(src), b, 0o644)
	}
	return root
}
