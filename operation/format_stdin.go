package operation

import (
	"bytes"
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
)

// maxFormatInput bounds what fmt - reads from its standard input.
const maxFormatInput = 64 << 20

// FormatStream is "callctl fmt -": it formats HCL read from in. It returns
// the canonical form and whether the input was already in it; on a parse
// error the diagnostics say why and out is nil, since rewriting what does
// not parse could lose what the author meant.
func FormatStream(in io.Reader, view FormatView) (out []byte, formatted bool, ok bool) {
	src, err := io.ReadAll(io.LimitReader(in, maxFormatInput+1))
	var diags hcl.Diagnostics
	switch {
	case err != nil:
		diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read standard input", Detail: fmt.Sprintf("Reading the HCL to format failed: %s.", err)}}
	case len(src) > maxFormatInput:
		diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Input too large", Detail: fmt.Sprintf("fmt - reads at most %d MiB from standard input; format such a file in place instead.", maxFormatInput>>20)}}
	}
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return nil, false, false
	}
	const name = "<stdin>"
	out, diags = config.Format(src, name)
	view.SetConfigSources(map[string]*hcl.File{name: {Bytes: src}})
	view.Diagnostics(diags)
	if diags.HasErrors() {
		return nil, false, false
	}
	return out, bytes.Equal(src, out), true
}
