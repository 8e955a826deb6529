package journal

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/callctl/callctl/internal/safefile"

	"github.com/callctl/callctl/reconcile"
)

// RecordLookups settles, in the journal at path, the calls an earlier run
// left "sent, outcome unknown" that plan has since found over: for each
// such call whose change in plan is already_ended or not_found, observed
// after the unknown disconnect, it appends a lookup line. The lines form a
// run of their own (run_start, lookups, run_end with zero counts), written
// only when there is something to settle, so an apply with nothing to do
// and nothing pending leaves the journal as it was.
//
// Calls the plan will disconnect need nothing here: their outcome line
// settles them. A call found live (left alone by a guard) stays unknown:
// the earlier disconnect did not end it.
//
// A journal that does not exist has nothing pending. One that cannot be
// read or written is an error; the caller may carry on, since nothing has
// been sent.
func RecordLookups(path string, meta RunMeta, plan *reconcile.Plan) error {
	f, err := safefile.OpenRead(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	entries, err := Read(f)
	f.Close()
	var damaged *DamagedLinesError
	if err != nil && !errors.As(err, &damaged) {
		return err
	}
	settles := lookupsSettling(Summarize(entries), plan)
	if len(settles) == 0 {
		return nil
	}
	j, err := Open(path, meta)
	if err != nil {
		return err
	}
	for _, c := range settles {
		observed := c.ObservedAt.UTC()
		_ = j.append(Entry{
			Event:      EventLookup,
			Address:    c.Address,
			Exchange:   c.Exchange,
			CallID:     c.CallID,
			Action:     c.Action,
			State:      c.State,
			ObservedAt: &observed,
		})
	}
	return j.Close(reconcile.ApplyCounts{})
}

// lookupsSettling returns the changes in plan that settle a call statuses
// still has as unknown: found over, and observed after the unknown line.
func lookupsSettling(statuses []CallStatus, plan *reconcile.Plan) []*reconcile.Change {
	pending := map[callKey]CallStatus{}
	for _, s := range statuses {
		if s.Unknown() {
			pending[callKey{s.Exchange, s.CallID}] = s
		}
	}
	var out []*reconcile.Change
	for _, c := range plan.Changes {
		s, ok := pending[callKey{c.Exchange, c.CallID}]
		if !ok || !settles(c.Action) || !c.ObservedAt.After(s.Time) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// settles reports whether a lookup that found a call in this state ends
// the doubt about an earlier disconnect of it. A call the server no longer
// knows was live under the same id when the earlier run sent its
// disconnect, so it has ended since (and expired).
func settles(a reconcile.Action) bool {
	return a == reconcile.ActionNone || a == reconcile.ActionNotFound
}
