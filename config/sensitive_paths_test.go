package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// Each diagnostic that would quote a value says, for a value derived from
// a sensitive variable, that it is sensitive instead of quoting it; the
// summary still says what is wrong.
func TestSensitiveValueNotQuoted(t *testing.T) {
	const pin = "S3CRETPIN9"
	tests := map[string]struct {
		hcl, summary string
	}{
		"only_in_states": {`
end_call "a" {
  exchange       = exchange.corp
  call_id        = "c-1"
  only_in_states = [var.pin]
}`, "Invalid call state"},
		"only_in_states through a function": {`
end_call "a" {
  exchange       = exchange.corp
  call_id        = "c-1"
  only_in_states = [upper(var.pin)]
}`, "Invalid call state"},
		"ca_file": {`
exchange "ca" {
  url     = "https://mail.corp.example/EWS/Exchange.asmx"
  ca_file = var.pin
}`, "Cannot read CA file"},
		"inventory format": {`
data "inventory" "d" {
  command = ["true"]
  format  = var.pin
}`, "Invalid inventory format"},
		"inventory timeout": {`
data "inventory" "d" {
  command = ["true"]
  timeout = var.pin
}`, "Invalid timeout"},
		"invalid protect pattern": {`
protect "p" {
  patterns = ["[${var.pin}"]
}`, "Invalid protect pattern"},
		"protect pattern matching a call": {`
protect "p" {
  patterns = ["${var.pin}*", "c-*"]
}
end_call "a" {
  exchange = exchange.corp
  call_id  = "c-1"
}`, "Call is protected"},
		"plain http url": {`
exchange "plain" {
  url = "http://mail.corp.example/EWS/Exchange.asmx?api_key=${var.pin}"
  allow_insecure_http = true
  auth "basic" {
    username = "svc"
    password = env("PW")
  }
}`, "Credentials over plain HTTP"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "main.hcl", `
variable "pin" {
  type      = string
  sensitive = true
}
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}
`+tt.hcl)
			_, diags := NewLoader().Load(dir, LoadOptions{Environ: []string{"CALLCTL_VAR_pin=" + pin, "PW=pw-from-env"}})
			found := false
			for _, d := range diags {
				text := d.Summary + " " + d.Detail
				if strings.Contains(text, pin) {
					t.Errorf("%s: %s", d.Summary, d.Detail)
				}
				if d.Summary == tt.summary {
					found = true
					// Said in words, not masked by the last net.
					if !strings.Contains(d.Detail, "sensitive") || strings.Contains(d.Detail, "(sensitive value)") {
						t.Errorf("%s does not say the value is sensitive: %s", d.Summary, d.Detail)
					}
				}
			}
			if !found {
				t.Errorf("no %q diagnostic: %s", tt.summary, diags.Error())
			}
		})
	}
}

// Whatever a message came to quote, no diagnostic of a load shows a
// sensitive value: the last net masks it.
func TestLoadDiagnosticsMasked(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", `
variable "pin" {
  type      = string
  sensitive = true
}
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}
end_call "a" {
  exchange = exchange.corp
  call_id  = "c-1"
  reason   = "pin is S3CRETPIN9"
}`)
	_, diags := NewLoader().Load(dir, LoadOptions{Environ: []string{"CALLCTL_VAR_pin=S3CRETPIN9"}})
	// The reason is the policy's own text, not a diagnostic: no error.
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	writeFile(t, dir, "more.hcl", `
end_call "b" {
  exchange = exchange.nowhere_S3CRETPIN9
  call_id  = "c-2"
}`)
	_, diags = NewLoader().Load(dir, LoadOptions{Environ: []string{"CALLCTL_VAR_pin=S3CRETPIN9"}})
	if !diags.HasErrors() || strings.Contains(diags.Error(), "S3CRETPIN9") || !strings.Contains(diags.Error(), "(sensitive value)") {
		t.Errorf("diagnostics = %s", diags.Error())
	}
}

// file() reads regular files only: never /proc (a process's environment
// holds its credentials), /sys or /dev, nor through a link to them, nor
// a directory or a pipe.
func TestFileReadsRegularFilesOnly(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc, /sys and /dev as on Linux")
	}
	dir := t.TempDir()
	writeFile(t, dir, "ok.txt", "c-1")
	for name, target := range map[string]string{"environ": "/proc/self/environ", "zero": "/dev/zero", "procdir": "/proc/self"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		`"/proc/self/environ"`:              "it is under /proc",
		`"/proc/${"self"}/../self/environ"`: "it is under /proc",
		`"/sys/class"`:                      "it is under /sys",
		`"/dev/zero"`:                       "it is under /dev",
		`"/dev/stdin"`:                      "it is under /", // a link to /proc/self/fd/0, which links on
		`"environ"`:                         "through a symbolic link to /proc/",
		`"zero"`:                            "it is under /dev",
		`"procdir/environ"`:                 "it is under /proc",
		`"pipe"`:                            "it is a named pipe",
		`"sub"`:                             "it is a directory",
	}
	for arg, want := range tests {
		t.Run(arg, func(t *testing.T) {
			writeFile(t, dir, "main.hcl", `
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}
end_call "a" {
  exchange = exchange.corp
  call_id  = trimspace(file("ok.txt"))
  reason   = file(`+arg+`)
}`)
			done := make(chan struct{})
			var errs string
			go func() {
				defer close(done)
				_, diags := NewLoader().Load(dir, LoadOptions{Environ: []string{"CALLCTL_PLAN_KEY=PLANKEY0123456789"}})
				errs = diags.Error()
			}()
			<-done
			if !strings.Contains(errs, "file reads regular files only") || !strings.Contains(errs, want) {
				t.Errorf("file(%s): %s", arg, errs)
			}
			if strings.Contains(errs, "PLANKEY") {
				t.Errorf("file(%s) showed the environment: %s", arg, errs)
			}
		})
	}
}
