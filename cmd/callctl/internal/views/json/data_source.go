package json

import "github.com/callctl/callctl/config"

// DataSource describes one data source read for a plan.
type DataSource struct {
	Address    string  `json:"address"` // data.inventory.NAME
	Source     string  `json:"source"`  // the file or command line, as the policy wrote it
	Records    int     `json:"records"`
	DurationMS float64 `json:"duration_ms"`
	// FromSavedPlan says the records came from a saved plan, not the
	// source.
	FromSavedPlan bool `json:"from_saved_plan,omitempty"`
}

// NewDataSource describes a data source the loader read.
func NewDataSource(ds *config.DataSource) DataSource {
	return DataSource{
		Address: ds.Address, Source: ds.Source, Records: ds.Records,
		DurationMS: float64(ds.Duration.Microseconds()) / 1000, FromSavedPlan: ds.FromSnapshot,
	}
}
