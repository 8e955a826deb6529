package views

import (
	"fmt"
	"io"

	"github.com/callctl/callctl/internal/visible"
	"github.com/callctl/callctl/reconcile"
)

// WritePlan renders a plan the way plan, apply and show all print it: one
// entry per call, then the summary line.
func (v *View) WritePlan(w io.Writer, plan *reconcile.Plan) {
	if len(plan.Changes) > 0 {
		fmt.Fprintf(w, "\ncallctl looked up %d %s:\n", len(plan.Changes), plural(len(plan.Changes), "call", "calls"))
	}
	for _, c := range plan.Changes {
		fmt.Fprintln(w)
		var head, sym string
		switch c.Action {
		case reconcile.ActionDisconnect:
			head, sym = v.paint(c.Address, ansiBold)+" will be "+v.paint("disconnected", ansiBold, ansiRed), v.paint("-", ansiRed)
		case reconcile.ActionNone:
			head, sym = c.Address+" is already ended", " "
		case reconcile.ActionNotFound:
			head, sym = c.Address+" was not found: already ended, expired, or a wrong id", " "
		case reconcile.ActionLeaveAlone:
			head, sym = c.Address+" is left alone (its state is not in only_in_states)", " "
		}
		fmt.Fprintf(w, "  # %s\n", head)
		fmt.Fprintf(w, "  %s call_id  = %s\n", sym, quote(c.CallID))
		fmt.Fprintf(w, "    exchange = %s\n", c.Exchange)
		if c.State != "" {
			// The server's words: a forged newline or an escape
			// sequence is shown, never obeyed.
			st := visible.Text(c.State)
			if c.Cause != "" && c.Cause != "None" {
				st += " (" + visible.Text(c.Cause) + ")"
			}
			fmt.Fprintf(w, "    state    = %s\n", st)
		}
		if c.Reason != "" {
			fmt.Fprintf(w, "    reason   = %s\n", quote(c.Reason))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, v.paint(PlanSummaryLine(plan.Summary(), len(plan.Changes)), ansiBold))
}

// PlanSummaryLine is the one-line verdict on a plan.
func PlanSummaryLine(s reconcile.Summary, total int) string {
	if total == 0 && s.FailedToLoad > 0 {
		return fmt.Sprintf("No changes. %d selected calls failed (see the errors above); no other call was selected.", s.FailedToLoad)
	}
	if total == 0 && s.NotLookedUp > 0 {
		return fmt.Sprintf("No changes. %d %s could not be looked up (see the errors at the end).", s.NotLookedUp, plural(s.NotLookedUp, "call", "calls"))
	}
	if total == 0 {
		return "No changes. No calls were selected: the policy declares none, or -target and -exclude left none."
	}
	// A call the exchange does not know may be a mistyped id of a live
	// call: it is never folded into "already ended".
	protected := ""
	if s.Protected > 0 {
		protected = fmt.Sprintf(" %d protected (skipped).", s.Protected)
	}
	if s.FailedToLoad > 0 {
		protected += fmt.Sprintf(" %d failed (see the errors above).", s.FailedToLoad)
	}
	if s.NotLookedUp > 0 {
		protected += fmt.Sprintf(" %d not looked up (see the errors at the end).", s.NotLookedUp)
	}
	if s.ToDisconnect == 0 && s.LeftAlone == 0 && s.NotFound == 0 && s.NotLookedUp > 0 {
		return fmt.Sprintf("No changes. %d already ended.", s.AlreadyEnded) + protected
	}
	if s.ToDisconnect == 0 && s.LeftAlone == 0 && s.NotFound == 0 {
		return "No changes. All declared calls are already ended." + protected
	}
	if s.ToDisconnect == 0 && s.LeftAlone == 0 {
		return fmt.Sprintf("No changes. %d already ended, %d not found (already ended, expired, or a wrong id).", s.AlreadyEnded, s.NotFound) + protected
	}
	line := fmt.Sprintf("Plan: %d to disconnect, %d already ended, %d not found", s.ToDisconnect, s.AlreadyEnded, s.NotFound)
	if s.LeftAlone > 0 {
		line += fmt.Sprintf(", %d left alone", s.LeftAlone)
	}
	if s.Protected > 0 {
		line += fmt.Sprintf(", %d protected (skipped)", s.Protected)
	}
	if s.FailedToLoad > 0 {
		line += fmt.Sprintf(", %d failed (see the errors above)", s.FailedToLoad)
	}
	if s.NotLookedUp > 0 {
		line += fmt.Sprintf(", %d not looked up (see the errors at the end)", s.NotLookedUp)
	}
	return line + "."
}

// quote shows a call id or reason exactly, escaping what a terminal would
// otherwise interpret.
func quote(s string) string { return visible.Quote(s) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
