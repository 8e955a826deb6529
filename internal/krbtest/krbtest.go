// Package krbtest runs a real MIT Kerberos KDC (Debian's krb5-kdc and
// krb5-admin-server) for tests: a throwaway realm in a temporary
// directory, its own krb5.conf, principals and keytabs made with
// kadmin.local, and krb5kdc -n listening on a free port of 127.0.0.1.
// Nothing here mocks Kerberos. Outside CI a machine without the KDC skips
// the test; with CI=true it fails (see package extools).
package krbtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/callctl/callctl/internal/extools"
)

// Realm is the throwaway realm every KDC here serves.
const Realm = "CALLCTL.TEST"

// KDC is a running MIT KDC.
type KDC struct {
	Dir        string // the realm's files
	Krb5Conf   string // a krb5.conf naming this KDC, for clients
	Addr       string // 127.0.0.1:PORT
	env        []string
	kadminPath string
	log        string
	cmd        *exec.Cmd
}

// sbin finds an MIT admin program, which Debian installs in /usr/sbin,
// often not on a test's PATH.
func sbin(t extools.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	p := "/usr/sbin/" + name
	if _, err := os.Stat(p); err != nil {
		extools.Missing(t, name+" not found (Debian krb5-kdc / krb5-admin-server): the Kerberos tests run a real KDC")
	}
	return p
}

// Start creates the realm and starts its KDC, stopped when the test ends.
func Start(t extools.TB) *KDC {
	t.Helper()
	krb5kdc := sbin(t, "krb5kdc")
	kdb5util := sbin(t, "kdb5_util")
	kadmin := sbin(t, "kadmin.local")
	dir := t.TempDir()
	k := &KDC{Dir: dir, kadminPath: kadmin, log: filepath.Join(dir, "kdc.log")}
	for attempt := 0; ; attempt++ {
		port := freePort(t)
		k.Addr = fmt.Sprintf("127.0.0.1:%d", port)
		k.writeConfig(t, port)
		if attempt == 0 {
			k.run(t, kdb5util, "-r", Realm, "create", "-s", "-P", "master-"+fmt.Sprint(time.Now().UnixNano()))
		}
		err := k.startKDC(t, krb5kdc)
		if err == nil {
			break
		}
		if attempt == 2 {
			extools.Missing(t, "the KDC did not start: "+err.Error())
		}
	}
	return k
}

func freePort(t extools.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (k *KDC) writeConfig(t extools.TB, port int) {
	t.Helper()
	kdcConf := fmt.Sprintf(`[kdcdefaults]
 kdc_listen = 127.0.0.1:%[2]d
 kdc_tcp_listen = 127.0.0.1:%[2]d

[realms]
 %[1]s = {
  database_name = %[3]s/principal
  key_stash_file = %[3]s/stash
  acl_file = %[3]s/kadm5.acl
  kdc_listen = 127.0.0.1:%[2]d
  kdc_tcp_listen = 127.0.0.1:%[2]d
  max_life = 10h
  max_renewable_life = 1d
  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
 }

[logging]
 kdc = FILE:%[3]s/kdc.log
`, Realm, port, k.Dir)
	krb5Conf := fmt.Sprintf(`[libdefaults]
 default_realm = %[1]s
 dns_lookup_kdc = false
 dns_lookup_realm = false
 rdns = false
 dns_canonicalize_hostname = false
 udp_preference_limit = 1
 default_ccache_name = FILE:%[3]s/default.ccache

[realms]
 %[1]s = {
  kdc = 127.0.0.1:%[2]d
 }
`, Realm, port, k.Dir)
	k.Krb5Conf = filepath.Join(k.Dir, "krb5.conf")
	for name, body := range map[string]string{"kdc.conf": kdcConf, "krb5.conf": krb5Conf, "kadm5.acl": ""} {
		if err := os.WriteFile(filepath.Join(k.Dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	k.env = append(os.Environ(),
		"KRB5_CONFIG="+k.Krb5Conf,
		"KRB5_KDC_PROFILE="+filepath.Join(k.Dir, "kdc.conf"),
		"KRB5CCNAME=FILE:"+filepath.Join(k.Dir, "default.ccache"),
	)
}

func (k *KDC) startKDC(t extools.TB, krb5kdc string) error {
	t.Helper()
	os.Remove(k.log) // a failed attempt's
	cmd := exec.Command(krb5kdc, "-n", "-r", Realm)
	cmd.Env = k.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("krb5kdc exited: %v: %s", err, out.String())
		default:
		}
		// Ready once the KDC says it listens: a probe alone could reach
		// another program that took the free port first (tests in other
		// packages listen too), while krb5kdc failed to bind it and exits.
		switch serving, failed := k.started(); {
		case failed:
			cmd.Process.Kill()
			<-exited
			return fmt.Errorf("krb5kdc could not listen on %s", k.Addr)
		case !serving:
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if c, err := net.DialTimeout("tcp", k.Addr, time.Second); err == nil {
			c.Close()
			k.cmd = cmd
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
			})
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	<-exited
	return fmt.Errorf("krb5kdc did not listen on %s within 10s: %s", k.Addr, out.String())
}

// started reads what krb5kdc logged of its start: serving once every
// listener is bound ("commencing operation"), failed if one could not be.
func (k *KDC) started() (serving, failed bool) {
	log, _ := os.ReadFile(k.log)
	failed = bytes.Contains(log, []byte("Cannot bind server socket")) ||
		bytes.Contains(log, []byte("Cannot create TCP server socket"))
	return bytes.Contains(log, []byte("commencing operation")) && !failed, failed
}

// run runs an MIT program with the realm's environment.
func (k *KDC) run(t extools.TB, prog string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = k.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", prog, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Kadmin runs one kadmin.local query, e.g. "addprinc -pw secret alice".
func (k *KDC) Kadmin(t extools.TB, query string) string {
	t.Helper()
	return k.run(t, k.kadminPath, "-r", Realm, "-q", query)
}

// AddUser adds a user principal with a password, pre-authentication
// required as Active Directory requires it (so a wrong password is a
// PREAUTH_FAILED the KDC counts).
func (k *KDC) AddUser(t extools.TB, name, password string) {
	t.Helper()
	k.Kadmin(t, fmt.Sprintf("addprinc -pw %s +requires_preauth %s", password, name))
}

// AddService adds a service principal such as HTTP/127.0.0.1 with a
// random key and writes its keys to a new keytab, whose path it returns.
func (k *KDC) AddService(t extools.TB, spn string) string {
	t.Helper()
	k.Kadmin(t, "addprinc -randkey "+spn)
	kt := filepath.Join(k.Dir, strings.NewReplacer("/", "_", "@", "_").Replace(spn)+".keytab")
	k.Kadmin(t, fmt.Sprintf("ktadd -k %s %s", kt, spn))
	return kt
}

// UserKeytab writes a keytab with a user's current keys (without changing
// them, so the password keeps working) and returns its path.
func (k *KDC) UserKeytab(t extools.TB, name string) string {
	t.Helper()
	kt := filepath.Join(k.Dir, name+".keytab")
	k.Kadmin(t, fmt.Sprintf("ktadd -k %s -norandkey %s", kt, name))
	return kt
}

// Kinit gets a TGT for a user into a new ccache file with MIT kinit and
// returns the path. lifetime "" is the realm's default; "5s" makes a
// ticket a test can watch expire.
func (k *KDC) Kinit(t extools.TB, name, password, lifetime string) string {
	t.Helper()
	kinit := extools.Require(t, "kinit", "MIT kinit (Debian krb5-user) fills the ccache")
	cc := filepath.Join(t.TempDir(), name+".ccache")
	args := []string{"-c", "FILE:" + cc}
	if lifetime != "" {
		args = append(args, "-l", lifetime)
	}
	args = append(args, name+"@"+Realm)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kinit, args...)
	cmd.Env = k.env
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kinit %s: %v\n%s", name, err, out)
	}
	return cc
}

// PreauthFailures counts the failed pre-authentications the KDC logged,
// which is what locks an account out.
func (k *KDC) PreauthFailures(t extools.TB) int {
	t.Helper()
	b, err := os.ReadFile(k.log)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "PREAUTH_FAILED")
}

// Log returns the KDC's log, for failure messages.
func (k *KDC) Log(t extools.TB) string {
	b, _ := os.ReadFile(k.log)
	return string(b)
}
