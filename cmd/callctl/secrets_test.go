package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //lint:ignore SA1019 NTLM is defined over MD4; nothing else will do

	"github.com/callctl/callctl/exchsim"
)

// secretForms lists every form in which a credential could leak: the
// password or token itself, Basic's base64 of user:password, and NTLM's
// NT hash and NTOWFv2 key (hex and raw base64).
func secretForms(user, domain, password string) []string {
	forms := []string{password, base64.StdEncoding.EncodeToString([]byte(user + ":" + password)),
		base64.StdEncoding.EncodeToString([]byte(domain + `\` + user + ":" + password))}
	h := md4.New()
	h.Write(utf16le(password))
	nt := h.Sum(nil)
	mac := hmac.New(md5.New, nt)
	mac.Write(utf16le(strings.ToUpper(user) + domain))
	v2 := mac.Sum(nil)
	// A plain digest of a short secret can be reversed by guessing, so
	// its sha256 (as JSON, the way cty values are fingerprinted) must not
	// appear either.
	for _, v := range []string{password, `"` + password + `"`} {
		sum := sha256.Sum256([]byte(v))
		forms = append(forms, hex.EncodeToString(sum[:]))
	}
	for _, b := range [][]byte{nt, v2} {
		forms = append(forms, hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)), base64.StdEncoding.EncodeToString(b))
	}
	return forms
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// TestNoSecretInAnyArtefact runs plans and applies at debug log level, with
// right and wrong credentials, and looks for any form of the secret in
// every output, plan file, journal and lock file they leave.
func TestNoSecretInAnyArtefact(t *testing.T) {
	const password = "Sup3r-s3cret-Passw0rd"
	const token = "eyJ0eXAiOiJKV1QiLCJhbGciOi.bearer-s3cret-token"
	ntlm, err := exchsim.NewServer(exchsim.Options{Auth: exchsim.AuthNTLM, User: `CORP\alice`, Password: password,
		Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}, {ID: "c-2", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ntlm.Close()
	basic, err := exchsim.NewServer(exchsim.Options{Auth: exchsim.AuthBasic, User: "alice", Password: password,
		Calls: []exchsim.Call{{ID: "c-3", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer basic.Close()
	open, err := exchsim.NewServer(exchsim.Options{Calls: []exchsim.Call{{ID: "c-4", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()

	dir := t.TempDir()
	policy := fmt.Sprintf(`
variable "password" {
  type      = string
  sensitive = true
}

exchange "ntlm" {
  url = %q
  auth "ntlm" {
    username = "CORP\\alice"
    password = var.password
  }
}

exchange "basic" {
  url                 = %q
  allow_insecure_http = true
  auth "basic" {
    username = "alice"
    password = env("BASIC_PASSWORD")
  }
}

exchange "bearer" {
  url                 = %q
  allow_insecure_http = true
  auth "bearer" {
    token = env("EWS_TOKEN")
  }
}

end_call "a" {
  for_each = toset(["c-1", "c-2"])
  exchange = exchange.ntlm
  call_id  = each.value
}

end_call "b" {
  exchange = exchange.basic
  call_id  = "c-3"
}

end_call "c" {
  exchange = exchange.bearer
  call_id  = "c-4"
}
`, ntlm.EWSURL(), basic.EWSURL(), open.EWSURL())
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}

	var outputs bytes.Buffer
	run := func(pw string, args ...string) {
		cmd := exec.Command(os.Args[0], append([]string{"-chdir=" + dir}, args...)...)
		cmd.Env = append(os.Environ(), "CALLCTL_TEST_AS_MAIN=1", "CALLCTL_LOG=debug",
			"CALLCTL_VAR_password="+pw, "BASIC_PASSWORD="+pw, "EWS_TOKEN="+token)
		cmd.Stdout, cmd.Stderr = &outputs, &outputs
		_ = cmd.Run() // failures are part of the test: their output is searched too
	}
	// Wrong credentials first, so that error paths are searched.
	run(password+"-wrong", "plan")
	run(password+"-wrong", "apply", "-auto-approve")
	run(password, "plan", "-json")
	run(password, "plan", "-out=saved.plan")
	run(password, "show", "-json", "saved.plan")
	run(password, "apply", "saved.plan")
	run(password, "apply", "-auto-approve", "-json")
	run(password, "show", "-journal")
	run(password, "validate", "-json")

	if !strings.Contains(outputs.String(), "Apply complete!") {
		t.Fatalf("the runs did not get as far as an apply:\n%s", &outputs)
	}
	if c, _ := ntlm.Call("c-1"); c.State != "Disconnected" {
		t.Fatalf("NTLM call not ended: %v", c.State)
	}
	artefacts := map[string][]byte{"outputs": outputs.Bytes()}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "main.hcl" {
			b, _ := os.ReadFile(p)
			artefacts[p] = b
		}
		return nil
	})
	if len(artefacts) < 3 {
		t.Fatalf("expected a plan file and a journal besides the outputs, got %d artefacts", len(artefacts))
	}
	forms := append(secretForms("alice", "CORP", password), secretForms("alice", "CORP", password+"-wrong")...)
	forms = append(forms, token, password+"-wrong")
	for name, b := range artefacts {
		for _, f := range forms {
			if bytes.Contains(b, []byte(f)) {
				t.Errorf("%s contains a form of a secret (%.6s...)", name, f)
			}
		}
	}
}
