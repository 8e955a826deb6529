// Package extools finds, for tests, the programs that are not ours which
// hold callctl's protocol code to account: Debian's Python with
// requests_ntlm, curl, and MIT Kerberos. Outside CI a missing tool skips
// the test; with CI=true (as .ci/run sets it, after installing them) it
// fails it, so that a broken CI image cannot turn the proofs into skips.
package extools

import (
	"os"
	"os/exec"
)

// TB is the part of testing.TB these helpers use, so that a testscript
// command can run them too.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
	TempDir() string
	Cleanup(func())
}

// InCI reports whether the tests run under CI, where nothing may skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// Require returns the path of program, or ends the test: Skip outside CI,
// Fatal in CI. why says what the program proves.
func Require(t TB, program, why string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	Missing(t, program+" not found ("+why+")")
	return ""
}

// Missing ends the test for a missing tool or capability: Skip outside
// CI, Fatal in CI.
func Missing(t TB, what string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s; CI=true, so this fails rather than skips (.ci/run installs it)", what)
	}
	t.Skipf("%s; skipped outside CI", what)
}

// Python returns Debian's /usr/bin/python3 if it can import every module
// named, else ends the test as Require does. A pyenv or virtualenv python
// on PATH would not see Debian's python3-* packages.
func Python(t TB, modules ...string) string {
	t.Helper()
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		Missing(t, python+" not found")
		return ""
	}
	for _, m := range modules {
		if out, err := exec.Command(python, "-c", "import "+m).CombinedOutput(); err != nil {
			Missing(t, "python module "+m+" not importable by "+python+": "+string(out))
			return ""
		}
	}
	return python
}

// legacyOpenSSL turns on OpenSSL 3's legacy provider next to the default
// one. NTLM is defined over MD4, which OpenSSL 3 moved there, and
// Python's hashlib (which ntlm-auth uses) gets MD4 only from OpenSSL.
const legacyOpenSSL = `openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
`

// NTLMPython is Python with requests_ntlm, and the environment that lets
// its NTLM hash: os.Environ() plus OPENSSL_CONF naming a file (in the
// test's temporary directory) that loads OpenSSL's legacy provider.
func NTLMPython(t TB) (python string, env []string) {
	t.Helper()
	python = Python(t, "requests", "requests_ntlm", "ntlm_auth")
	conf := t.TempDir() + "/openssl.cnf"
	if err := os.WriteFile(conf, []byte(legacyOpenSSL), 0o644); err != nil {
		t.Fatal(err)
	}
	env = append(os.Environ(), "OPENSSL_CONF="+conf)
	cmd := exec.Command(python, "-c", "import hashlib; hashlib.new('md4', b'')")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		Missing(t, "MD4 unavailable to "+python+" even with OpenSSL's legacy provider: "+string(out))
	}
	return python, env
}
