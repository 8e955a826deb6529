package views

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Console is the view of "callctl console": each result, or why there is
// none, as Terraform's console prints them.
type Console struct{ *View }

// NewConsole returns the console's view.
func NewConsole(v *View) *Console { return &Console{View: v} }

// Value prints one expression's value.
func (c *Console) Value(v cty.Value) {
	var b strings.Builder
	formatValue(&b, v, 0)
	c.printf("%s\n", b.String())
}

// formatValue writes v as an HCL expression that would produce it, with
// Terraform console's conventions: tolist, toset and tomap for typed
// collections, (sensitive value) for anything marked, and a note for
// values not known until plan.
func formatValue(b *strings.Builder, v cty.Value, indent int) {
	if v.IsMarked() {
		b.WriteString("(sensitive value)")
		return
	}
	ty := v.Type()
	pad := strings.Repeat("  ", indent+1)
	switch {
	case !v.IsKnown():
		b.WriteString("(not known until plan)")
	case v.IsNull():
		b.WriteString("null")
	case ty == cty.String:
		fmt.Fprintf(b, "%q", v.AsString())
	case ty == cty.Number:
		b.WriteString(v.AsBigFloat().Text('f', -1))
	case ty == cty.Bool:
		fmt.Fprint(b, v.True())
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		open, end := "[", "]"
		switch {
		case ty.IsListType():
			open, end = "tolist([", "])"
		case ty.IsSetType():
			open, end = "toset([", "])"
		}
		if v.LengthInt() == 0 {
			b.WriteString(open + end)
			return
		}
		b.WriteString(open + "\n")
		for it := v.ElementIterator(); it.Next(); {
			_, el := it.Element()
			b.WriteString(pad)
			formatValue(b, el, indent+1)
			b.WriteString(",\n")
		}
		b.WriteString(strings.Repeat("  ", indent) + end)
	case ty.IsMapType() || ty.IsObjectType():
		open, end := "{", "}"
		if ty.IsMapType() {
			open, end = "tomap({", "})"
		}
		if v.LengthInt() == 0 {
			b.WriteString(open + end)
			return
		}
		m := v.AsValueMap()
		keys := make([]string, 0, len(m))
		width := 0
		for k := range m {
			keys = append(keys, k)
			width = max(width, len(attrName(k)))
		}
		sort.Strings(keys)
		b.WriteString(open + "\n")
		for _, k := range keys {
			name := attrName(k)
			fmt.Fprintf(b, "%s%s%s = ", pad, name, strings.Repeat(" ", width-len(name)))
			formatValue(b, m[k], indent+1)
			b.WriteString("\n")
		}
		b.WriteString(strings.Repeat("  ", indent) + end)
	default:
		b.WriteString(ty.FriendlyName())
	}
}

// attrName quotes a key that is not a plain identifier.
func attrName(k string) string {
	for i, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return fmt.Sprintf("%q", k)
		}
	}
	if k == "" {
		return `""`
	}
	return k
}
