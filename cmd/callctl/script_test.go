package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/internal/extools"
	"github.com/callctl/callctl/internal/krbtest"
)

// TestMain lets testscript run "callctl" as a real program: the test binary
// re-executes itself with main's code path.
func TestMain(m *testing.M) {
	// Tests that must signal a real callctl process run the test binary
	// itself as callctl.
	if os.Getenv("CALLCTL_TEST_AS_MAIN") == "1" {
		if ready := os.Getenv("CALLCTL_TEST_INTERRUPTS_HANDLED"); ready != "" {
			// A test waits for this file before it signals: an
			// earlier signal would meet the default action.
			interruptsHandled = func() { _ = os.WriteFile(ready, nil, 0o600) }
		}
		os.Exit(run())
	}
	testscript.Main(m, map[string]func(){
		"callctl":  func() { os.Exit(run()) },
		"exitcode": exitcodeMain,
	})
}

// TestScripts runs the golden CLI scripts in testdata/script. Set
// CALLCTL_UPDATE=1 to rewrite their expected output in place.
func TestScripts(t *testing.T) {
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("CALLCTL_UPDATE") != "",
		// [kdc]: MIT's KDC is installed, or CI, where its absence must
		// fail the script rather than skip it.
		Condition: func(cond string) (bool, error) {
			if cond != "kdc" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			_, err := os.Stat("/usr/sbin/krb5kdc")
			return err == nil || extools.InCI(), nil
		},
		Setup: func(env *testscript.Env) error {
			// Scripts get their own copy of the examples, so that applies
			// leave their journals and locks there, not in the repository.
			copied := filepath.Join(env.WorkDir, "examples")
			if err := os.CopyFS(copied, os.DirFS(examples)); err != nil {
				return err
			}
			env.Setenv("EXAMPLES", copied)
			env.Setenv("NO_COLOR", "")
			env.Values[serversKey{}] = map[string]*exchsim.Server{}
			env.Values[kdcsKey{}] = map[string]*krbtest.KDC{}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exchsim":   cmdExchsim,
			"simcalls":  cmdSimcalls,
			"simstats":  cmdSimstats,
			"simend":    cmdSimend,
			"simreset":  cmdSimreset,
			"jsonlines": cmdJSONLines,
			"simconns":  cmdSimconns,
			"simauth":   cmdSimauth,
			"simproxy":  cmdSimproxy,
			"kdc":       cmdKDC,
			"kdcfails":  cmdKDCFails,
			"lines":     cmdLines,
			"planedit":  cmdPlanedit,
			"genfile":   cmdGenfile,
		},
	})
}

// serversKey finds, in a script's values, the simulators it started, by
// name. Each script has its own map, and a script's commands run one at a
// time, so it needs no lock.
type serversKey struct{}

// kdcsKey finds, in a script's values, the KDCs it started, by name.
type kdcsKey struct{}

func kdcs(ts *testscript.TestScript) map[string]*krbtest.KDC {
	return ts.Value(kdcsKey{}).(map[string]*krbtest.KDC)
}

func servers(ts *testscript.TestScript) map[string]*exchsim.Server {
	return ts.Value(serversKey{}).(map[string]*exchsim.Server)
}

// cmdExchsim starts a simulator for the rest of the script:
//
//	exchsim [-auth ntlm|basic|none] [-calls FILE] [-active N] [-latency DUR]
//	        [-busy-rate F] [-backoff DUR] [-unavailable-rate F] [-retry-after DUR]
//	        [-reset-rate F] [-html-error-rate F] [-hang-rate F]
//	        [-connection-count-rate F] [-seed N] [-hang] [-tls] [-epa MODE]
//	        [-forge-state QUOTED] [-forge-cause QUOTED] NAME
//
// -tls serves https with a generated certificate and writes its CA to
// $WORK/NAME-ca.pem, named by NAME_CA (SIMS_CA names a file with the CAs
// of all the script's -tls simulators); -epa none|allow|require sets
// Extended Protection (it needs -tls).
// -hang makes it accept connections and never answer a SOAP request (not
// even the first authentication leg), as a hung exchange does. It sets
// NAME_URL to its base URL. The simulator is closed when the
// script ends. Credentials are CORP\alice / secret.
func cmdExchsim(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exchsim")
	}
	opts := exchsim.Options{Auth: exchsim.AuthNTLM, User: `CORP\alice`, Password: "secret"}
	for len(args) > 1 {
		if args[0] == "-hang" || args[0] == "-tls" {
			opts.Faults.HangAll = opts.Faults.HangAll || args[0] == "-hang"
			opts.TLS = opts.TLS || args[0] == "-tls"
			args = args[1:]
			continue
		}
		flag, val := args[0], args[1]
		switch flag {
		case "-auth":
			opts.Auth = val
		case "-calls":
			f, err := os.Open(ts.MkAbs(val))
			ts.Check(err)
			opts.Calls, err = exchsim.LoadCalls(f)
			f.Close()
			ts.Check(err)
		case "-latency":
			d, err := time.ParseDuration(val)
			ts.Check(err)
			opts.Latency = d
		case "-busy-rate", "-unavailable-rate", "-reset-rate", "-html-error-rate", "-hang-rate", "-connection-count-rate":
			r, err := strconv.ParseFloat(val, 64)
			ts.Check(err)
			*map[string]*float64{
				"-busy-rate": &opts.Faults.ServerBusyRate, "-unavailable-rate": &opts.Faults.UnavailableRate,
				"-reset-rate": &opts.Faults.ResetRate, "-html-error-rate": &opts.Faults.HTMLErrorRate,
				"-hang-rate": &opts.Faults.HangRate, "-connection-count-rate": &opts.Faults.ConnectionCountRate,
			}[flag] = r
		case "-backoff", "-retry-after":
			d, err := time.ParseDuration(val)
			ts.Check(err)
			*map[string]*time.Duration{"-backoff": &opts.Faults.BackOff, "-retry-after": &opts.Faults.RetryAfter}[flag] = d
		case "-active":
			// -active N: N connected calls, call-000 ... call-N-1.
			n, err := strconv.Atoi(val)
			ts.Check(err)
			for i := range n {
				opts.Calls = append(opts.Calls, exchsim.Call{ID: fmt.Sprintf("call-%03d", i), State: "Connected"})
			}
		case "-fail-call":
			opts.Faults.FailCalls = append(opts.Faults.FailCalls, val)
		case "-epa":
			opts.EPA = val
		case "-keytab":
			opts.Keytab = val
			opts.User = "alice@" + krbtest.Realm
		case "-seed":
			n, err := strconv.ParseInt(val, 10, 64)
			ts.Check(err)
			opts.Faults.Seed = n
		case "-forge-state", "-forge-cause":
			// A Go-quoted string, so that a script can write control
			// characters: -forge-state '"Connected\n# forged"'.
			s, err := strconv.Unquote(val)
			ts.Check(err)
			*map[string]*string{"-forge-state": &opts.Faults.ForgeState, "-forge-cause": &opts.Faults.ForgeCause}[flag] = s
		default:
			ts.Fatalf("exchsim: unknown flag %s", flag)
		}
		args = args[2:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: exchsim [flags] NAME")
	}
	srv, err := exchsim.NewServer(opts)
	ts.Check(err)
	ts.Defer(srv.Close)
	servers(ts)[args[0]] = srv
	ts.Setenv(args[0]+"_URL", srv.URL)
	if srv.TLS() {
		ts.Setenv(args[0]+"_CA", writeCAFile(ts, args[0], srv.CACertPEM()))
		// SIMS_CA trusts every -tls simulator of the script, as one
		// corporate CA does a fleet's servers.
		all, _ := os.ReadFile(ts.MkAbs("SIMS-ca.pem"))
		ts.Setenv("SIMS_CA", writeCAFile(ts, "SIMS", all, srv.CACertPEM()))
	}
}

// writeCAFile writes PEM certificates to $WORK/NAME-ca.pem.
func writeCAFile(ts *testscript.TestScript, name string, pems ...[]byte) string {
	f := ts.MkAbs(name + "-ca.pem")
	var all []byte
	for _, p := range pems {
		all = append(all, p...)
	}
	ts.Check(os.WriteFile(f, all, 0o644))
	return f
}

// cmdSimproxy starts a TLS-terminating proxy with a certificate of its
// own in front of a -tls simulator, as a TLS-inspecting middlebox:
//
//	simproxy SIM NAME
//
// It sets NAME_URL to the proxy's base URL and NAME_CA to a file holding
// both the simulator's and the proxy's CA, as the trust store of a machine
// behind such a middlebox does.
func cmdSimproxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: simproxy SIM NAME")
	}
	srv := server(ts, args[0])
	p, err := exchsim.NewTLSProxy(srv)
	ts.Check(err)
	ts.Defer(p.Close)
	ts.Setenv(args[1]+"_URL", p.URL)
	ts.Setenv(args[1]+"_CA", writeCAFile(ts, args[1], srv.CACertPEM(), p.CACertPEM()))
}

func server(ts *testscript.TestScript, name string) *exchsim.Server {
	srv := servers(ts)[name]
	if srv == nil {
		ts.Fatalf("no simulator named %s", name)
	}
	return srv
}

// cmdSimcalls prints a simulator's calls, one "ID STATE" per line, sorted.
func cmdSimcalls(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: simcalls NAME")
	}
	var b strings.Builder
	for _, c := range server(ts, args[0]).Calls() {
		fmt.Fprintf(&b, "%s %s\n", c.ID, c.State)
	}
	ts.Stdout().Write([]byte(b.String()))
}

// cmdSimstats prints a simulator's stats as JSON.
func cmdSimstats(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: simstats NAME")
	}
	b, err := json.Marshal(server(ts, args[0]).Stats())
	ts.Check(err)
	ts.Stdout().Write(append(b, '\n'))
}

// exitcodeMain is the "exitcode" program scripts use to check an exact exit
// code, which "exec" cannot: exitcode CODE PROGRAM [ARGS...] runs PROGRAM
// with the script's environment and streams, and succeeds only if it exits
// with CODE.
func exitcodeMain() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: exitcode CODE PROGRAM [ARGS...]")
		os.Exit(2)
	}
	want, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "exitcode:", err)
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	got := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			fmt.Fprintln(os.Stderr, "exitcode:", err)
			os.Exit(2)
		}
		got = ee.ExitCode()
	}
	if got != want {
		fmt.Fprintf(os.Stderr, "exitcode: %s exited %d, want %d\n", os.Args[2], got, want)
		os.Exit(1)
	}
}

// cmdSimend ends calls on a simulator, as if their callers hung up:
// simend NAME ID...
func cmdSimend(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: simend NAME ID...")
	}
	srv := server(ts, args[0])
	for _, id := range args[1:] {
		c, ok := srv.Call(id)
		if !ok {
			ts.Fatalf("simulator %s has no call %q", args[0], id)
		}
		c.State = "Disconnected"
		ts.Check(srv.AddCall(c))
	}
}

// cmdSimreset replaces a simulator's calls with those of a calls file:
// simreset NAME FILE
func cmdSimreset(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: simreset NAME FILE")
	}
	f, err := os.Open(ts.MkAbs(args[1]))
	ts.Check(err)
	defer f.Close()
	calls, err := exchsim.LoadCalls(f)
	ts.Check(err)
	ts.Check(server(ts, args[0]).SetCalls(calls))
}

// cmdJSONLines checks that every line of the last command's stdout (or
// stderr) is a JSON object: jsonlines stdout|stderr
func cmdJSONLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: jsonlines stdout|stderr")
	}
	text := ts.ReadFile(args[0])
	if text == "" {
		ts.Fatalf("%s is empty", args[0])
	}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			ts.Fatalf("%s line %d is not a JSON object: %v\n%s", args[0], i+1, err, line)
		}
	}
}

// cmdSimconns checks connection reuse and NTLM pinning on a simulator:
// simconns NAME MAX passes when NTLM handshakes == connections <= MAX, and
// prints the figures.
func cmdSimconns(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: simconns NAME MAX")
	}
	max, err := strconv.Atoi(args[1])
	ts.Check(err)
	st := server(ts, args[0]).Stats()
	var requests int64
	for _, n := range st.Requests {
		requests += n
	}
	fmt.Fprintf(ts.Stdout(), "connections=%d ntlm_handshakes=%d soap_requests=%d http_requests=%d\n", st.Connections, st.NTLMHandshakes, requests, st.HTTPRequests)
	if st.NTLMHandshakes != st.Connections || st.Connections > int64(max) {
		ts.Fatalf("connections=%d handshakes=%d; want equal and at most %d", st.Connections, st.NTLMHandshakes, max)
	}
}

// cmdSimauth checks how many failed logins a simulator counted: simauth
// NAME MAX prints the figures and passes when auth_failures <= MAX. A
// directory service locks an account after a few, so a run must cost at
// most one per exchange.
func cmdSimauth(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: simauth NAME MAX")
	}
	max, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	st := server(ts, args[0]).Stats()
	fmt.Fprintf(ts.Stdout(), "auth_failures=%d connections=%d http_requests=%d\n", st.AuthFailures, st.Connections, st.HTTPRequests)
	if st.AuthFailures > max {
		ts.Fatalf("%d failed logins, want at most %d", st.AuthFailures, max)
	}
}

// cmdLines bounds the length of the last command's output: lines
// stdout|stderr MAX prints the count and passes when it is at most MAX,
// so that one cause repeated per call shows up as a failure.
func cmdLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: lines stdout|stderr MAX")
	}
	max, err := strconv.Atoi(args[1])
	ts.Check(err)
	n := strings.Count(ts.ReadFile(args[0]), "\n")
	fmt.Fprintf(ts.Stdout(), "%s: %d lines\n", args[0], n)
	if n > max {
		ts.Fatalf("%s has %d lines, want at most %d:\n%s", args[0], n, max, ts.ReadFile(args[0]))
	}
}

// cmdKDC starts a real MIT KDC for the rest of the script:
//
//	kdc NAME
//
// The realm (krbtest.Realm) has a user alice with password secret and a
// service HTTP/127.0.0.1. It sets NAME_KRB5_CONF (a krb5.conf for it),
// NAME_KEYTAB (the service's keytab, for exchsim -keytab),
// NAME_USER_KEYTAB (alice's keys) and NAME_CCACHE (alice's tickets from
// kinit). Guard scripts with [!kdc] skip.
func cmdKDC(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: kdc NAME")
	}
	t := &scriptTB{ts: ts}
	k := krbtest.Start(t)
	k.AddUser(t, "alice", "secret")
	name := args[0]
	ts.Setenv(name+"_KRB5_CONF", k.Krb5Conf)
	ts.Setenv(name+"_KEYTAB", k.AddService(t, "HTTP/127.0.0.1"))
	ts.Setenv(name+"_USER_KEYTAB", k.UserKeytab(t, "alice"))
	ts.Setenv(name+"_CCACHE", k.Kinit(t, "alice", "secret", ""))
	kdcs(ts)[name] = k
}

// scriptTB lets krbtest run under a testscript command: failures end the
// script, temporary files live in its work directory, clean-ups run when
// it ends.
type scriptTB struct {
	ts *testscript.TestScript
	n  int
}

func (s *scriptTB) Helper()                           {}
func (s *scriptTB) Fatal(args ...any)                 { s.ts.Fatalf("%s", fmt.Sprint(args...)) }
func (s *scriptTB) Fatalf(format string, args ...any) { s.ts.Fatalf(format, args...) }
func (s *scriptTB) Skipf(format string, args ...any)  { s.ts.Fatalf(format, args...) }
func (s *scriptTB) Cleanup(f func())                  { s.ts.Defer(f) }
func (s *scriptTB) TempDir() string {
	s.n++
	dir := s.ts.MkAbs(fmt.Sprintf(".kdc-tmp-%d", s.n))
	s.ts.Check(os.MkdirAll(dir, 0o700))
	return dir
}

// cmdKDCFails prints the failed pre-authentications a KDC logged, and
// fails the script if there are more than MAX:
//
//	kdcfails NAME MAX
func cmdKDCFails(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: kdcfails NAME MAX")
	}
	k := kdcs(ts)[args[0]]
	if k == nil {
		ts.Fatalf("no KDC named %s", args[0])
	}
	max, err := strconv.Atoi(args[1])
	ts.Check(err)
	n := k.PreauthFailures(&scriptTB{ts: ts})
	fmt.Fprintf(ts.Stdout(), "preauth_failures=%d\n", n)
	if n > max {
		ts.Fatalf("%d failed pre-authentications, want at most %d", n, max)
	}
}
