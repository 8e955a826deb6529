package views

import (
	"github.com/rogpeppe/go-internal/diff"
)

// Fmt is the view "callctl fmt" renders through; it is for people only.
type Fmt struct{ *View }

// NewFmt returns fmt's view.
func NewFmt(v *View) *Fmt { return &Fmt{View: v} }

// Listed names a file that needs (or got) formatting.
func (v *Fmt) Listed(name string) { v.printf("%s\n", name) }

// Diff shows the changes formatting makes to a file.
func (v *Fmt) Diff(name string, old, new []byte) {
	v.printf("%s", diff.Diff("old/"+name, old, "new/"+name, new))
}

// Formatted writes the canonical form of standard input (fmt -).
func (v *Fmt) Formatted(out []byte) { v.printf("%s", out) }
