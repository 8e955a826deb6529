package views

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/callctl/callctl/internal/visible"
	"github.com/callctl/callctl/journal"
)

// writeJournalTable renders statuses as an aligned table with the columns
// RUN, TIME, ADDRESS, EXCHANGE, CALL ID, STATUS and ERROR.
func writeJournalTable(w io.Writer, statuses []journal.CallStatus) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tTIME\tADDRESS\tEXCHANGE\tCALL ID\tSTATUS\tERROR")
	for _, s := range statuses {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			idCell(s.Run), s.Time.UTC().Format(time.RFC3339), idCell(s.Address), idCell(s.Exchange),
			idCell(s.CallID), statusCell(s), errCell(s.Error))
	}
	return tw.Flush()
}

// statusCell renders a status for the table; a resolved one says how.
// A journal is a file anyone with access could have edited: its words are
// shown, never obeyed.
func statusCell(s journal.CallStatus) string {
	if s.Resolved() {
		return fmt.Sprintf("resolved: %s in run %s", visible.Text(strings.ReplaceAll(s.Resolution, "_", " ")), idCell(s.ResolvedBy))
	}
	return visible.Text(s.Status)
}

// idCell renders an identifier for one table cell. Call ids are opaque and
// must not be altered, so one that would not print plainly (spaces, control
// characters) is shown Go-quoted instead.
func idCell(s string) string {
	if s == "" {
		return "-"
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) || unicode.IsSpace(r) || visible.Dangerous(r) {
			return visible.Quote(s)
		}
	}
	if !utf8.ValidString(s) {
		return visible.Quote(s)
	}
	return s
}

// errCell renders error text for one table cell. It comes partly from
// servers: runs of white space (which could break the columns) collapse
// to one space, and whatever a terminal would obey is made visible.
func errCell(s string) string {
	if s == "" {
		return "-"
	}
	return visible.Text(strings.Join(strings.Fields(s), " "))
}
