package views

import (
	"fmt"

	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
	"github.com/callctl/callctl/config"
)

// DataSourceRead prints one line per data source, so that a cron log
// shows how many records each run saw.
func (v *OperationHuman) DataSourceRead(ds *config.DataSource) {
	if ds.Read {
		v.printf("%s\n", dataSourceText(ds))
	}
}

func (j *OperationJSON) DataSourceRead(ds *config.DataSource) {
	if ds.Read {
		j.emit("info", dataSourceText(ds), viewsjson.MessageDataSourceRead, map[string]any{"data_source": viewsjson.NewDataSource(ds)})
	}
}

func dataSourceText(ds *config.DataSource) string {
	from := ds.Source
	if ds.FromSnapshot {
		from = "the saved plan"
	}
	return fmt.Sprintf("%s: Read %d %s from %s in %s", ds.Address, ds.Records, plural(ds.Records, "record", "records"), from, ds.Duration.Round(100_000))
}
