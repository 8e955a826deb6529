package config

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchPolicy is callbench's incident policy: call ids in a var-file and
// one for_each end_call naming them all.
const benchPolicy = `
variable "incident" {
  type = string
}

variable "stuck_calls" {
  type    = list(string)
  default = []
}

exchange "sim" {
  url                 = "http://127.0.0.1:8080/EWS/Exchange.asmx"
  allow_insecure_http = true

  auth "basic" {
    username = "CORP\\bench"
    password = env("CALLCTL_PASSWORD")
  }
}

end_call "stuck" {
  for_each       = toset(var.stuck_calls)
  exchange       = exchange.sim
  call_id        = each.value
  reason         = "stuck after ${var.incident}"
  only_in_states = ["Connected"]
}
`

// writeBenchPolicy writes the policy and a var-file of n real-looking call
// ids under dir.
func writeBenchPolicy(b *testing.B, dir string, n int) (policyDir, varFile string) {
	b.Helper()
	policyDir = filepath.Join(dir, "policy")
	varFile = filepath.Join(dir, "incident.vars")
	if err := os.MkdirAll(policyDir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(policyDir, "main.hcl"), []byte(benchPolicy), 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(varFile)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("incident = \"BENCH-1\"\n\nstuck_calls = [\n")
	for i := range n {
		fmt.Fprintf(w, "  %q,\n", base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "callbench-%08d|um01.bench.example", i)))
	}
	w.WriteString("]\n")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return policyDir, varFile
}

// BenchmarkLoadForEachVarFile loads the incident policy with 1k, 10k and
// 100k ids; ns/op divided by the calls is the per-call load cost that
// callbench's ceiling mode reports as "policy load".
func BenchmarkLoadForEachVarFile(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("calls=%d", n), func(b *testing.B) {
			policyDir, varFile := writeBenchPolicy(b, b.TempDir(), n)
			opts := LoadOptions{VarFiles: []string{varFile}, Environ: []string{"CALLCTL_PASSWORD=secret"}}
			pol, diags := NewLoader().Load(policyDir, opts)
			if diags.HasErrors() || len(pol.Calls) != n {
				b.Fatalf("%d calls, diags: %v", len(pol.Calls), diags)
			}
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				NewLoader().Load(policyDir, opts)
			}
			perCall := float64(b.N) * float64(n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/perCall, "ns/call")
			b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/perCall, "cpu-ns/call")
		})
	}
}
