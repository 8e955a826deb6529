package views

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
)

// Validate is the view "callctl validate" renders through.
type Validate interface {
	SetConfigSources(map[string]*hcl.File)
	// Deferred names the end_call blocks whose calls are known only at
	// plan (config.Policy.Deferred); call it before Results.
	Deferred(blocks []string)
	// Results reports the policy's diagnostics and, when valid, what it
	// declares. An error means the result could not be rendered.
	Results(diags hcl.Diagnostics, calls, exchanges int) error
}

// NewValidate returns the view for the given type; it panics on an
// unknown type, which is a programming error.
func NewValidate(vt arguments.ViewType, v *View) Validate {
	switch vt {
	case arguments.ViewHuman:
		return &ValidateHuman{View: v}
	case arguments.ViewJSON:
		return &ValidateJSON{View: v}
	default:
		panic("views: unknown view type")
	}
}

// ValidateHuman prints the diagnostics and a success line.
type ValidateHuman struct {
	*View
	deferred []string
}

func (v *ValidateHuman) Deferred(blocks []string) { v.deferred = blocks }

var _ Validate = (*ValidateHuman)(nil)

func (v *ValidateHuman) Results(diags hcl.Diagnostics, calls, exchanges int) error {
	v.Diagnostics(diags)
	if !diags.HasErrors() {
		v.printf("%s The policy is valid: %d %s on %d %s.\n",
			v.Paint("Success!", "bold", "green"), calls, plural(calls, "call", "calls"), exchanges, plural(exchanges, "exchange", "exchanges"))
		if len(v.deferred) > 0 {
			v.printf("The calls of %s are known only at plan: they depend on data sources, which validate does not read, or on values it was not given.\n",
				strings.Join(v.deferred, ", "))
		}
	}
	return nil
}

// ValidateJSON prints one document (format_version 1.0; deferred since
// this field was added, an addition within 1.0).
type ValidateJSON struct {
	*View
	deferred []string
}

func (v *ValidateJSON) Deferred(blocks []string) { v.deferred = blocks }

var _ Validate = (*ValidateJSON)(nil)

// validateDocument is validate -json's document.
type validateDocument struct {
	FormatVersion string                  `json:"format_version"`
	Valid         bool                    `json:"valid"`
	ErrorCount    int                     `json:"error_count"`
	WarningCount  int                     `json:"warning_count"`
	Calls         int                     `json:"calls"`
	Exchanges     int                     `json:"exchanges"`
	Deferred      []string                `json:"deferred"`
	Diagnostics   []*viewsjson.Diagnostic `json:"diagnostics"`
}

func (v *ValidateJSON) Results(diags hcl.Diagnostics, calls, exchanges int) error {
	doc := validateDocument{FormatVersion: "1.0", Calls: calls, Exchanges: exchanges, Deferred: append([]string{}, v.deferred...), Diagnostics: []*viewsjson.Diagnostic{}}
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			doc.ErrorCount++
		} else {
			doc.WarningCount++
		}
		doc.Diagnostics = append(doc.Diagnostics, viewsjson.NewDiagnostic(d, v.files))
	}
	doc.Valid = doc.ErrorCount == 0
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the validation result as JSON: %w", err)
	}
	v.printf("%s\n", b)
	return nil
}
