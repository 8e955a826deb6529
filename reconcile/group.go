package reconcile

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/throttle"
)

// Errors that differ only in a duration ("9m59.999682095s", "2.5s") or a
// count of attempts ("failed 8 times", "attempt 2 of 3") have one cause:
// causeKey masks those so that they group into one message.
var (
	// A duration stands alone: after a space, "(" or "=", not inside an
	// id such as c-1s.
	durationRe = regexp.MustCompile(`(^|[\s(=])\d+(\.\d+)?(ns|µs|us|ms|s|m|h)(\d+(\.\d+)?(ns|µs|us|ms|s|m|h))*\b`)
	heldRe     = regexp.MustCompile(`\bnot (sent|retried):`)
	attemptsRe = regexp.MustCompile(`\b\d+ (times|attempts?|tries|retries)\b|\battempt \d+( of \d+)?\b`)
)

// causeKey is the grouping key of an error message on one exchange.
func causeKey(exchange, msg string) string {
	// Whether this call's request had gone out before the back-off
	// stopped it, or an earlier attempt went unanswered, is the same
	// cause for the reader.
	msg = strings.TrimSuffix(msg, throttle.MaybeAppliedSuffix)
	msg = heldRe.ReplaceAllString(msg, "<held>")
	msg = durationRe.ReplaceAllString(msg, "$1<duration>")
	msg = attemptsRe.ReplaceAllString(msg, "<attempts>")
	return exchange + "\x00" + msg
}

// namedCalls names a group's calls for a message: the first with its id,
// then a few more addresses, then "and N more".
func namedCalls(addresses, callIDs []string) string {
	named := fmt.Sprintf("%s (call id %q)", addresses[0], callIDs[0])
	if n := len(addresses); n > 1 {
		named = fmt.Sprintf("%d calls, %s, %s", n, named, strings.Join(addresses[1:min(n, maxNamedCalls)], ", "))
		if n > maxNamedCalls {
			named += fmt.Sprintf(" and %d more", n-maxNamedCalls)
		}
	}
	return named
}

// ApplyFailureDiagnostics reports an apply's failed disconnects, one
// diagnostic per exchange and cause, so that when an exchange refuses
// everything the operator reads the reason once, with the calls it hit.
// Disconnects sent and left unanswered (outcome unknown) are grouped the
// same way under their own summary. The per-call table at the end of the
// apply lists them all; calls not started or cut off by the second
// interrupt are reported there and by the interrupt's own words.
func ApplyFailureDiagnostics(res *ApplyResult) hcl.Diagnostics {
	type group struct {
		exchange    string
		err         error
		addrs, ids  []string
		firstChange *Change
		unknown     bool // sent, outcome unknown
	}
	var groups []*group
	index := map[string]*group{}
	var lookupCalls []*config.Call
	var lookupErrs []error
	for _, r := range res.Results {
		if le := (*LookupError)(nil); r.Outcome == OutcomeFailed && errors.As(r.Err, &le) {
			call := r.Change.Call
			if call == nil {
				call = &config.Call{Address: r.Change.Address, Exchange: r.Change.Exchange, CallID: r.Change.CallID}
			}
			lookupCalls = append(lookupCalls, call)
			lookupErrs = append(lookupErrs, le.Err)
			continue
		}
		unknown := r.Outcome == OutcomeUnknown && !errors.Is(r.Err, ErrSentOutcomeUnknown)
		if (r.Outcome != OutcomeFailed && !unknown) || r.Err == nil {
			continue
		}
		key, shown := groupCause(r.Change.Exchange, r.Err)
		key = string(r.Outcome) + "\x00" + key
		g := index[key]
		if g == nil {
			g = &group{exchange: r.Change.Exchange, err: shown, firstChange: r.Change, unknown: unknown}
			index[key] = g
			groups = append(groups, g)
		}
		g.addrs = append(g.addrs, r.Change.Address)
		g.ids = append(g.ids, r.Change.CallID)
	}
	// Calls not looked up first: that is what happened to them first.
	diags := lookupDiagnostics(lookupCalls, lookupErrs, othersCarriedOn)
	for _, g := range groups {
		d := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Failed to disconnect call",
			Detail: fmt.Sprintf("Exchange %q did not disconnect %s: %s.\n\nCheck these calls with \"callctl plan\", then apply again; the table \"Calls not disconnected\" lists each one.",
				g.exchange, namedCalls(g.addrs, g.ids), strings.TrimSuffix(g.err.Error(), ".")),
			Subject: declRange(g.firstChange),
		}
		if len(g.addrs) > 1 {
			d.Summary = "Failed to disconnect calls"
		}
		if g.unknown {
			// The disconnect went out unanswered: the call may have ended.
			d.Summary = "Disconnect sent, outcome unknown"
			if len(g.addrs) > 1 {
				d.Summary = "Disconnects sent, outcomes unknown"
			}
			d.Detail = fmt.Sprintf("Exchange %q did not confirm the disconnect of %s: %s.\n\nCheck these calls with \"callctl plan\", then apply again; the table \"Calls not disconnected\" lists each one.",
				g.exchange, namedCalls(g.addrs, g.ids), strings.TrimSuffix(strings.TrimPrefix(g.err.Error(), sentUnknown+": "), "."))
		}
		diags = append(diags, d)
	}
	return diags
}
