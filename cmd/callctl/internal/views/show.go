package views

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/callctl/callctl/journal"
	"github.com/callctl/callctl/planfile"
)

// Show is the view "callctl show" renders through.
type Show interface {
	Diagnostics(hcl.Diagnostics)
	// Plan prints a saved plan. An error means it could not be
	// rendered; nothing was printed.
	Plan(*planfile.File) error
	// Journal prints each call's last known state in the journal, and
	// says when some outcomes are unknown. An error means it could not be
	// rendered; nothing was printed.
	Journal([]journal.CallStatus) error
}

// NewShow returns the view for the given type and -format; it panics on an
// unknown type, which is a programming error.
func NewShow(vt arguments.ViewType, format string, v *View) Show {
	switch {
	case vt == arguments.ViewJSON:
		return &ShowJSON{ShowHuman{View: v}}
	case vt != arguments.ViewHuman:
		panic("views: unknown view type")
	case format == "markdown":
		return &ShowMarkdown{ShowHuman{View: v}}
	default:
		return &ShowHuman{View: v}
	}
}

// ShowHuman prints a plan as plan printed it.
type ShowHuman struct{ *View }

var _ Show = (*ShowHuman)(nil)

func (v *ShowHuman) Plan(f *planfile.File) error {
	var buf bytes.Buffer
	v.WritePlan(&buf, f.Plan)
	v.printf("%s\n%s\n", buf.String(), planFileText(f))
	return nil
}

func (v *ShowHuman) Journal(statuses []journal.CallStatus) error {
	var buf bytes.Buffer
	_ = writeJournalTable(&buf, statuses) // a bytes.Buffer does not fail
	v.printf("%s", buf.String())
	resolved := false
	for _, s := range statuses {
		if s.Unknown() {
			v.printf("\nSome disconnects were sent but their outcome was never recorded: check those calls with \"callctl plan\".\n")
			return nil
		}
		resolved = resolved || s.Resolved()
	}
	if resolved {
		v.printf("\nDisconnects whose outcome was never recorded were resolved by later runs, which found those calls over or disconnected them again.\n")
	}
	return nil
}

// ShowMarkdown renders a plan for a pull-request comment.
type ShowMarkdown struct{ ShowHuman }

var _ Show = (*ShowMarkdown)(nil)

func (v *ShowMarkdown) Plan(f *planfile.File) error {
	signed := "unsigned"
	if f.Signature != nil {
		signed = "signed with plan key " + f.Signature.KeyID
	}
	// The full digest: apply prints it, and a reviewer compares the two.
	footer := fmt.Sprintf("<sub>Plan made %s by callctl %s; policy %s; plan digest <code>%s</code> (%s).</sub>\n", f.CreatedAt.Format("2006-01-02 15:04:05 MST"), f.CallctlVersion, short(f.Inputs.PolicyHash), f.Digest(), signed)
	v.printf("%s", Markdown(f.Plan, footer, MarkdownLimit))
	return nil
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// ShowJSON prints a plan, or the journal, as one JSON document.
type ShowJSON struct{ ShowHuman }

var _ Show = (*ShowJSON)(nil)

func (v *ShowJSON) Plan(f *planfile.File) error {
	doc := viewsjson.NewPlanDocument(f.Plan, f.CallctlVersion, f.Inputs.PolicyHash)
	doc.PlanDigest = f.Digest()
	if f.Signature != nil {
		doc.SignedKeyID = f.Signature.KeyID
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the plan as JSON: %w", err)
	}
	v.printf("%s\n", b)
	return nil
}

func (v *ShowJSON) Journal(statuses []journal.CallStatus) error {
	b, err := json.MarshalIndent(viewsjson.NewJournalDocument(statuses), "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the journal as JSON: %w", err)
	}
	v.printf("%s\n", b)
	return nil
}
