package config

import (
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

var protectSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "call_ids"},
		{Name: "patterns"},
	},
}

// protectEntryRanges are the source ranges of a protect block's call_ids
// and patterns elements, index for index.
type protectEntryRanges struct {
	ids, patterns []hcl.Range
	// sensitive: an entry was derived from a sensitive variable, so
	// diagnostics must not quote the entries.
	sensitive bool
}

func (ld *loadRun) decodeProtects(blocks []*hcl.Block, pol *Policy) hcl.Diagnostics {
	var diags hcl.Diagnostics
	ld.protectRanges = map[*Protect]protectEntryRanges{}
	for _, b := range blocks {
		p := &Protect{Name: b.Labels[0], DeclRange: b.DefRange}
		var ranges protectEntryRanges
		content, contentDiags := b.Body.Content(protectSchema)
		diags = append(diags, contentDiags...)

		if attr, ok := content.Attributes["call_ids"]; ok {
			ids, rngs, _, moreDiags := ld.evalStringList(attr, nil)
			diags = append(diags, moreDiags...)
			if ld.isSensitive(attr) {
				ranges.sensitive = true
			}
			p.CallIDs, ranges.ids = ids, rngs
		}
		if attr, ok := content.Attributes["patterns"]; ok {
			pats, rngs, _, moreDiags := ld.evalStringList(attr, nil)
			diags = append(diags, moreDiags...)
			if ld.isSensitive(attr) {
				ranges.sensitive = true
			}
			for i, pat := range pats {
				if _, err := globMatch(pat, ""); err != nil {
					quoted := fmt.Sprintf("%q", pat)
					if ranges.sensitive {
						quoted = "(derived from a sensitive variable)"
					}
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid protect pattern",
						Detail: fmt.Sprintf("The pattern %s in protect %q is not a valid glob: %s. Patterns use Go's path.Match syntax: * matches any run of characters, ? one character, [a-z] one of a class, and a backslash escapes the next character.",
							quoted, p.Name, err),
						Subject: rngs[i].Ptr(),
					})
					continue
				}
				p.Patterns = append(p.Patterns, pat)
				ranges.patterns = append(ranges.patterns, rngs[i])
			}
		}
		if len(content.Attributes) == 0 && !contentDiags.HasErrors() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Empty protect block",
				Detail:   fmt.Sprintf("Protect %q sets neither call_ids nor patterns, so it protects nothing. Add the calls that must never be ended, or remove the block.", p.Name),
				Subject:  b.DefRange.Ptr(),
			})
		}
		pol.Protects = append(pol.Protects, p)
		ld.protectRanges[p] = ranges
	}
	return diags
}

// Protected reports whether a protect block forbids ending the call id,
// and if so which entry: the id itself or the matching pattern.
func (p *Protect) Protected(callID string) (entry string, ok bool) {
	if i := p.matchIndex(callID); i >= 0 {
		return p.entry(i), true
	}
	return "", false
}

// matchIndex returns the index of the first matching entry over CallIDs
// then Patterns, or -1.
func (p *Protect) matchIndex(callID string) int {
	for i, id := range p.CallIDs {
		if id == callID {
			return i
		}
	}
	for i, pat := range p.Patterns {
		if ok, _ := globMatch(pat, callID); ok {
			return len(p.CallIDs) + i
		}
	}
	return -1
}

func (p *Protect) entry(i int) string {
	if i < len(p.CallIDs) {
		return p.CallIDs[i]
	}
	return p.Patterns[i-len(p.CallIDs)]
}

// slashStandIn replaces "/" in both pattern and call id before matching.
// path.Match stops * and ? at "/", but call ids are opaque (often base64)
// and may contain one: "911-*" must protect "911-a/b", since a guard that
// fails open could end an emergency call. A private-use rune no call id
// plausibly contains keeps the mapping one-to-one.
const slashStandIn = "\uE000"

// globMatch is path.Match with "/" an ordinary character. Like Match it
// checks the whole pattern's syntax whatever the name.
func globMatch(pattern, callID string) (bool, error) {
	return path.Match(strings.ReplaceAll(pattern, "/", slashStandIn), strings.ReplaceAll(callID, "/", slashStandIn))
}

// checkProtected sorts out the calls a protect block forbids. One an
// end_call names itself (no for_each) is an error, at its call_id, naming
// the protect entry: the author asked for exactly that call. One a
// for_each selected (from an inventory, say) is skipped, never looked up
// or disconnected: the others go ahead, and one warning per end_call block
// lists what was skipped and why. It returns the calls kept and those
// skipped.
func checkProtected(calls []*Call, protects []*Protect, ranges map[*Protect]protectEntryRanges) (kept, skipped []*Call, diags hcl.Diagnostics) {
	type group struct {
		first *Call
		lines []string
	}
	groups := map[string]*group{}
	var order []string
	for _, c := range calls {
		matched := false
		for _, p := range protects {
			i := p.matchIndex(c.CallID)
			if i < 0 {
				continue
			}
			matched = true
			r := ranges[p]
			entry := fmt.Sprintf("%q", p.entry(i))
			if r.sensitive {
				entry = "(derived from a sensitive variable)"
			}
			where, how := p.DeclRange, "which lists the id "+entry
			if i < len(p.CallIDs) {
				if i < len(r.ids) {
					where = r.ids[i]
				}
			} else {
				how = fmt.Sprintf("whose pattern %s matches it", entry)
				if j := i - len(p.CallIDs); j < len(r.patterns) {
					where = r.patterns[j]
				}
			}
			if c.Key != "" {
				g := groups[c.Name]
				if g == nil {
					g = &group{first: c}
					groups[c.Name] = g
					order = append(order, c.Name)
				}
				g.lines = append(g.lines, fmt.Sprintf("%s (call %q): protect %q at %s, %s", c.Address, c.CallID, p.Name, shortRange(where), how))
				break
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Call is protected",
				Detail: fmt.Sprintf("%s would end call %q, but protect %q at %s forbids ending it, %s. Remove the end_call, or the protect entry if the call may now be ended.",
					c.Address, c.CallID, p.Name, shortRange(where), how),
				Subject: c.CallIDRange,
			})
			break
		}
		switch {
		case !matched:
			kept = append(kept, c)
		case c.Key != "":
			skipped = append(skipped, c)
		}
	}
	for _, name := range order {
		g := groups[name]
		const shown = 5
		list := g.lines
		more := ""
		if len(list) > shown {
			more = fmt.Sprintf("\n  ... and %d more", len(list)-shown)
			list = list[:shown]
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Protected calls skipped",
			Detail: fmt.Sprintf("The for_each of end_call %q selects %s that protect blocks forbid ending:\n  %s%s\n\n%s skipped: never looked up or disconnected; the other calls go ahead. Narrow the for_each filter to leave %s out.",
				name, plural(len(g.lines), "call"), strings.Join(list, "\n  "), more,
				oneOrMany(len(g.lines), "It is", "They are"), oneOrMany(len(g.lines), "it", "them")),
			Subject: g.first.CallIDRange,
		})
	}
	return kept, skipped, diags
}

// checkDuplicateCalls reports a call id declared twice for one exchange;
// the same id on different exchanges names different calls.
func checkDuplicateCalls(calls []*Call) hcl.Diagnostics {
	var diags hcl.Diagnostics
	type key struct{ exchange, id string }
	first := map[key]*Call{}
	for _, c := range calls {
		k := key{c.Exchange, c.CallID}
		if f, dup := first[k]; dup {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate call declaration",
				Detail: fmt.Sprintf("Call id %q on exchange %q is already declared by %s at %s. Each call may be ended by only one end_call; remove one of the declarations.",
					c.CallID, c.Exchange, f.Address, shortRange(*f.CallIDRange)),
				Subject: c.CallIDRange,
			})
			continue
		}
		first[k] = c
	}
	return diags
}

func oneOrMany(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
