package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// forEachStrings expands a known, non-null set, list or tuple for_each
// value whose elements must be strings, iterating it once: an unknown
// element anywhere makes the whole value unknown (reported by unknown, as
// before any type error), else the first element that is not a string is
// reported by invalid.
func (ld *loadRun) forEachStrings(v cty.Value, invalid func(string) ([]*each, bool, hcl.Diagnostics),
	unknown func() ([]*each, bool, hcl.Diagnostics)) ([]*each, bool, hcl.Diagnostics) {
	if v.IsNull() {
		return invalid("The for_each argument is null. Use a map or a set of strings; toset([]) gives no instances.")
	}
	n := v.LengthInt()
	seen := make(map[string]bool, n)
	out := make([]*each, 0, n)
	badType := ""
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, el := it.Element()
		if !el.IsWhollyKnown() {
			return unknown()
		}
		if badType != "" {
			continue // only an unknown element can still change the answer
		}
		if el.Type() != cty.String || el.IsNull() {
			what := "null"
			if !el.IsNull() {
				what = el.Type().FriendlyName()
			}
			badType = fmt.Sprintf("for_each over a set or list needs strings, but element %d is %s. Convert the elements with tostring, or use a map to give each call a key.", i, what)
			continue
		}
		if s := el.AsString(); !seen[s] {
			seen[s] = true
			out = append(out, &each{key: s, value: el})
		}
	}
	if badType != "" {
		return invalid(badType)
	}
	// Sets iterate in order already (a sort of sorted input is a single
	// pass); lists are sorted so that instance order never depends on how
	// the list was written.
	slices.SortFunc(out, func(a, b *each) int { return strings.Compare(a.key, b.key) })
	return out, true, nil
}
