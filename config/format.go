package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns src in canonical HCL layout, as `callctl fmt` writes it.
// A source that does not parse is never formatted: hclwrite would rewrite
// broken input into something else broken, so the parse diagnostics are
// returned instead, with nil bytes.
func Format(src []byte, filename string) ([]byte, hcl.Diagnostics) {
	_, _, diags := parseConfig(src, filename)
	if diags.HasErrors() {
		return nil, capDiags(diags)
	}
	return hclwrite.Format(src), diags
}
