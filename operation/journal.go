package operation

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/internal/safefile"
	"github.com/callctl/callctl/journal"
)

// JournalPath is the journal file flag names, resolved against the policy
// directory dir; an empty flag means journal.DefaultPath there.
func JournalPath(dir, flag string) string {
	if flag == "" {
		return filepath.Join(dir, journal.DefaultPath)
	}
	r := &Request{Dir: dir}
	return r.path(flag)
}

// ReadJournal reads the journal at path (see JournalPath) and reduces it
// to each call's last known state. Damaged lines, such as one cut short by
// a crash, are a warning: the rest is still returned.
func ReadJournal(path string) ([]journal.CallStatus, hcl.Diagnostics) {
	f, err := safefile.OpenRead(path)
	if errors.Is(err, fs.ErrNotExist) {
		// The usual case, said plainly rather than as "Lstat PATH: ...".
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the journal",
			Detail:   fmt.Sprintf("There is no journal at %s: no apply has recorded a disconnect there yet. The journal is written by \"callctl apply\"; give another file as \"callctl show -journal FILE\".", path),
		}}
	}
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the journal",
			Detail:   fmt.Sprintf("%s. The journal is written by \"callctl apply\"; give another file as \"callctl show -journal FILE\".", capitalize(err.Error())),
		}}
	}
	defer f.Close()
	entries, err := journal.Read(f)
	var diags hcl.Diagnostics
	var damaged *journal.DamagedLinesError
	switch {
	case errors.As(err, &damaged):
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Journal has damaged lines",
			Detail:   fmt.Sprintf("%s: %s. A line cut short by a crash was never acted on; the rest of the journal is shown.", path, err),
		})
	case err != nil:
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read the journal", Detail: capitalize(err.Error()) + "."}}
	}
	return journal.Summarize(entries), diags
}
