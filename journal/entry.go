package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/callctl/callctl/reconcile"
)

// FormatVersion is the journal line format's version, written as "v" on
// every line. Bump it on any incompatible change to Entry.
const FormatVersion = 1

// Event says what a journal line records.
type Event string

const (
	EventRunStart Event = "run_start"
	// EventIntent is written, and synced, before a disconnect is sent.
	EventIntent Event = "intent"
	// EventOutcome is written once a call's fate is known.
	EventOutcome Event = "outcome"
	EventRunEnd  Event = "run_end"
	// EventLookup records that a run looked up a call an earlier run left
	// "sent, outcome unknown" and found it over (Action already_ended or
	// not_found), which settles that earlier outcome. Other lookups are
	// not journaled: they change nothing.
	EventLookup Event = "lookup"
)

// Entry is one journal line. Only the fields of its Event are set.
//
// It holds no credentials: the journal is written from reconcile.Change and
// reconcile.Result, which carry none. TestEntryFieldsAreAllowlisted keeps
// it that way.
type Entry struct {
	V     int       `json:"v"`
	Event Event     `json:"event"`
	Run   string    `json:"run"`
	Time  time.Time `json:"time"` // RFC3339Nano, UTC

	// intent, outcome and lookup
	Address  string            `json:"address,omitempty"`
	Exchange string            `json:"exchange,omitempty"`
	CallID   string            `json:"call_id,omitempty"`
	Reason   string            `json:"reason,omitempty"`
	Outcome  reconcile.Outcome `json:"outcome,omitempty"`
	Error    string            `json:"error,omitempty"`

	// lookup
	Action     reconcile.Action `json:"action,omitempty"`
	State      string           `json:"state,omitempty"`       // as the server reported it
	ObservedAt *time.Time       `json:"observed_at,omitempty"` // when the server said so

	// run_start
	Version   string `json:"version,omitempty"`
	PolicyDir string `json:"policy_dir,omitempty"`
	PlanHash  string `json:"plan_hash,omitempty"`
	User      string `json:"user,omitempty"`
	Host      string `json:"host,omitempty"`
	PID       int    `json:"pid,omitempty"`

	// run_end
	Counts *RunCounts `json:"counts,omitempty"`
	// InFlight counts intents with no outcome when the run ended: the
	// apply was abandoned with those disconnects sent but unanswered.
	InFlight int `json:"in_flight,omitempty"`
}

// RunCounts are a run_end line's counts of the run's outcomes. The
// journal owns these names: they are read back by every later callctl,
// whatever package reconcile calls its counts.
type RunCounts struct {
	Disconnected int `json:"disconnected"`
	AlreadyEnded int `json:"already_ended"`
	NotFound     int `json:"not_found"`
	Failed       int `json:"failed"`
	LeftAlone    int `json:"left_alone"`
	NotStarted   int `json:"not_started"`
	Unknown      int `json:"sent_outcome_unknown"`
}

// CountsOf puts an apply's counts in the journal's words.
func CountsOf(c reconcile.ApplyCounts) *RunCounts {
	return &RunCounts{
		Disconnected: c.Disconnected, AlreadyEnded: c.AlreadyEnded, NotFound: c.NotFound, Failed: c.Failed,
		LeftAlone: c.LeftAlone, NotStarted: c.NotStarted, Unknown: c.Unknown,
	}
}

// DamagedLinesError reports journal lines that could not be decoded. Read
// returns it together with every line that could be. The usual cause is a
// process killed in the middle of writing a line; such a line was never
// acted on, since a disconnect is sent only after its intent line has been
// written whole and synced.
type DamagedLinesError struct {
	// Lines holds the 1-based numbers of the first maxDamagedListed
	// damaged lines, so that a hostile file cannot make the list grow
	// without bound.
	Lines []int
	// Count is how many lines were damaged in all; when zero, len(Lines).
	Count int
}

// maxDamagedListed bounds how many damaged line numbers are kept and shown.
const maxDamagedListed = 10

func (e *DamagedLinesError) Error() string {
	count := max(e.Count, len(e.Lines))
	nums := make([]string, len(e.Lines))
	for i, n := range e.Lines {
		nums[i] = fmt.Sprint(n)
	}
	if more := count - len(e.Lines); more > 0 {
		nums = append(nums, fmt.Sprintf("and %d more", more))
	}
	noun := "line"
	if count != 1 {
		noun = "lines"
	}
	return fmt.Sprintf("journal: skipped %d damaged %s (%s), probably torn by a crash while writing", count, noun, strings.Join(nums, ", "))
}

// maxLine bounds one journal line; real lines are a few hundred bytes, so a
// longer one is damage, not data.
const maxLine = 1 << 20

// Read decodes a journal. Lines that cannot be decoded, such as one torn by
// a crash mid-write, are skipped and reported by a *DamagedLinesError,
// returned alongside the entries that could be read; any other error means
// the read itself failed.
func Read(r io.Reader) ([]Entry, error) {
	br := bufio.NewReader(r)
	var (
		entries []Entry
		damaged []int
		count   int
	)
	for n := 1; ; n++ {
		line, long, err := readLine(br)
		if long {
			line = nil // damaged whatever it holds
		}
		if long || len(bytes.TrimSpace(line)) > 0 {
			var e Entry
			if line == nil || json.Unmarshal(line, &e) != nil || e.Event == "" {
				if count++; len(damaged) < maxDamagedListed {
					damaged = append(damaged, n)
				}
			} else {
				entries = append(entries, e)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return entries, fmt.Errorf("journal: reading line %d: %w", n, err)
		}
	}
	if count > 0 {
		return entries, &DamagedLinesError{Lines: damaged, Count: count}
	}
	return entries, nil
}

// readLine returns the next line without its newline. A line longer than
// maxLine is read through without being kept, and reported as long, so
// that no line can hold more than maxLine bytes in memory.
func readLine(br *bufio.Reader) (line []byte, long bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !long && len(line)+len(chunk) <= maxLine+1 { // +1: the newline
			line = append(line, chunk...)
		} else {
			long, line = true, nil
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimSuffix(line, []byte("\n")), long, err
	}
}
