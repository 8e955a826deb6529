package config

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// BenchmarkLocals evaluates policies of 1,000 and 8,000 locals, each
// computed from an earlier one: the time per local stays flat (linear in the
// number of locals; it was quadratic, 22.6 s at 8,000).
func BenchmarkLocals(b *testing.B) {
	for _, n := range []int{1000, 8000} {
		var src strings.Builder
		src.WriteString("locals {\n  l0 = \"v\"\n")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&src, "  l%d = coalesce(local.l%d, \"v%d\")\n", i, i/2, i)
		}
		src.WriteString("}\n")
		fsys := fstest.MapFS{"main.hcl": {Data: []byte(src.String())}}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, diags := NewLoader().LoadFS(fsys, ".", LoadOptions{}); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/local")
		})
	}
}
