package policytest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

func convertTo(v cty.Value, want cty.Type) (cty.Value, error) {
	cv, err := convert.Convert(v, want)
	if err != nil {
		return cty.NilVal, err
	}
	return cv, nil
}

// suggest is " Did you mean "x"?" for the closest candidate, or "".
func suggest(given string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein.Distance(given, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || given == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}

// maxValueText bounds how much of a value a failure message quotes.
const maxValueText = 400

// valueText renders a value for a failed assertion's message, in HCL's
// syntax, shortened to a description when long. A sensitive value is
// never shown.
func valueText(v cty.Value) string {
	if v.ContainsMarked() {
		return "(sensitive value)"
	}
	var b strings.Builder
	writeValue(&b, v)
	if b.Len() > maxValueText {
		return describe(v)
	}
	return b.String()
}

func describe(v cty.Value) string {
	ty := v.Type()
	if (ty.IsCollectionType() || ty.IsTupleType()) && v.IsKnown() && !v.IsNull() {
		n := v.LengthInt()
		word := "elements"
		if n == 1 {
			word = "element"
		}
		return fmt.Sprintf("%s with %d %s", ty.FriendlyName(), n, word)
	}
	return ty.FriendlyName()
}

func writeValue(b *strings.Builder, v cty.Value) {
	if b.Len() > maxValueText {
		return
	}
	ty := v.Type()
	switch {
	case !v.IsKnown():
		b.WriteString("(not yet known)")
	case v.IsNull():
		b.WriteString("null")
	case ty == cty.String:
		fmt.Fprintf(b, "%q", v.AsString())
	case ty == cty.Number:
		b.WriteString(v.AsBigFloat().Text('g', 15))
	case ty == cty.Bool:
		fmt.Fprint(b, v.True())
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		b.WriteString("[")
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			_, el := it.Element()
			writeValue(b, el)
		}
		b.WriteString("]")
	case ty.IsMapType() || ty.IsObjectType():
		m := v.AsValueMap()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%s = ", k)
			writeValue(b, m[k])
		}
		b.WriteString("}")
	default:
		b.WriteString(ty.FriendlyName())
	}
}
