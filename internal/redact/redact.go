// Package redact masks known secret values in text that callctl did not
// write itself and is about to show: an inventory command's standard
// error, say, which a "bash -x" script fills with the commands it ran,
// credentials and all.
//
// Masking is a safety net under the rule that secrets are never put into
// output in the first place: it only finds values it was told about, in
// the forms a program is likely to print them (as is, URL-encoded, or
// quoted as a Go or JSON string).
package redact

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Mask is what a secret is replaced with.
const Mask = "(sensitive value)"

// MinLen is the shortest value masked. Shorter values ("1", "yes") would
// mask ordinary text all over, and a secret that short can be guessed
// anyway.
const MinLen = 4

// Secrets is a set of values to mask. The zero value masks nothing.
type Secrets struct {
	values []string // every form of every value, longest first
}

// Add adds values to mask, with the forms a program would print them in.
func (s *Secrets) Add(values ...string) {
	for _, v := range values {
		if len(v) < MinLen {
			continue
		}
		q := strconv.Quote(v)
		j := strings.ReplaceAll(q[1:len(q)-1], `\x`, `\u00`) // close enough to JSON for the common cases
		s.values = append(s.values, v, url.QueryEscape(v), url.PathEscape(v), q[1:len(q)-1], j)
	}
	slices.SortFunc(s.values, func(a, b string) int { return len(b) - len(a) })
	s.values = slices.Compact(s.values)
}

// Len reports how many forms of secrets s masks.
func (s *Secrets) Len() int {
	if s == nil {
		return 0
	}
	return len(s.values)
}

// Contains reports whether v is one of the secrets (as is, not in
// another form).
func (s *Secrets) Contains(v string) bool {
	return s != nil && len(v) >= MinLen && slices.Contains(s.values, v)
}

// Merge adds every value of o to s.
func (s *Secrets) Merge(o *Secrets) {
	if o == nil {
		return
	}
	s.values = append(s.values, o.values...)
	slices.SortFunc(s.values, func(a, b string) int { return len(b) - len(a) })
	s.values = slices.Compact(s.values)
}

// Mask returns text with every known secret replaced by Mask. A nil
// Secrets masks nothing.
func (s *Secrets) Mask(text string) string {
	if s == nil {
		return text
	}
	for _, v := range s.values {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, Mask)
		}
	}
	return text
}

// Diagnostics returns diags with every known secret masked in their
// summaries and details; diagnostics that hold none are returned as they
// are, and the others are copied, never changed in place.
func (s *Secrets) Diagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	if s.Len() == 0 {
		return diags
	}
	var out hcl.Diagnostics
	for i, d := range diags {
		summary, detail := s.Mask(d.Summary), s.Mask(d.Detail)
		if summary == d.Summary && detail == d.Detail {
			if out != nil {
				out = append(out, d)
			}
			continue
		}
		if out == nil {
			out = append(make(hcl.Diagnostics, 0, len(diags)), diags[:i]...)
		}
		c := *d
		c.Summary, c.Detail = summary, detail
		out = append(out, &c)
	}
	if out == nil {
		return diags
	}
	return out
}
