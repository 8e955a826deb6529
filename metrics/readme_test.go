package metrics

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
)

// TestReadmeTable holds the README's table of metrics ("Running
// continuously") to what the registry exports: the same callctl_ names,
// each with the labels the table gives, and every cycle result named.
func TestReadmeTable(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "| metric | labels | meaning |")
	if start < 0 {
		t.Fatal("README has no metrics table")
	}
	table := readme[start:]
	table = table[:strings.Index(table, "\n\n")]
	documented := map[string][]string{} // name -> labels
	rows := strings.Split(table, "\n")[2:]
	for _, row := range rows {
		cells := strings.Split(row, "|")
		var labels []string
		// Label values are given in parentheses after their label.
		for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(regexp.MustCompile(`\([^)]*\)`).ReplaceAllString(cells[2], ""), -1) {
			labels = append(labels, m[1])
		}
		prefix := ""
		for _, m := range regexp.MustCompile("`(_?[a-z_]+)`").FindAllStringSubmatch(cells[1], -1) {
			name := m[1]
			if strings.HasPrefix(name, "_") {
				// `callctl_calls_disconnected_total`, `_already_ended_total`
				name = prefix + name
			} else {
				parts := strings.Split(name, "_")
				prefix = strings.Join(parts[:len(parts)-2], "_")
			}
			documented[name] = labels
		}
	}

	m := New()
	m.CycleDone(ResultOK, time.Second, time.Now())
	for _, o := range []reconcile.Outcome{reconcile.OutcomeDisconnected, reconcile.OutcomeAlreadyEnded, reconcile.OutcomeNotFound, reconcile.OutcomeFailed} {
		m.Call("corp", o)
	}
	m.Lookup("corp", "disconnect")
	m.Disconnect("corp", reconcile.OutcomeDisconnected)
	m.Request("corp", "lookup", time.Millisecond)
	m.Retried("corp", throttle.Stats{Attempts: 3, Retries: 1, Throttled: 1, GateWaits: 1, Backoff: time.Second})
	m.DataSourceRead("data.inventory.calls", 5)
	h := NewHealth(time.Minute, time.Minute, nil)
	m.Registry().MustRegister(h)
	h.CycleFinished(1, ResultError, time.Now(), map[string]ExchangeStatus{"corp": {Reason: ReasonDown}})
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string][]string{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "callctl_") {
			continue
		}
		var labels []string
		for _, l := range f.GetMetric()[0].GetLabel() {
			labels = append(labels, l.GetName())
		}
		exported[f.GetName()] = labels
	}
	for name, labels := range exported {
		doc, ok := documented[name]
		switch {
		case !ok:
			t.Errorf("README does not list %s", name)
		case !slices.Equal(doc, labels):
			t.Errorf("README gives %s the labels %v, it has %v", name, doc, labels)
		}
	}
	for name := range documented {
		if _, ok := exported[name]; !ok {
			t.Errorf("README lists %s, which is not exported", name)
		}
	}
	cyclesRow := rows[slices.IndexFunc(rows, func(r string) bool { return strings.Contains(r, "`callctl_watch_cycles_total`") })]
	for _, r := range []string{ResultOK, ResultPartial, ResultError, ResultInterrupted} {
		if !strings.Contains(cyclesRow, "`"+r+"`") {
			t.Errorf("README's callctl_watch_cycles_total row does not name the result %q", r)
		}
	}
	unhealthyRow := rows[slices.IndexFunc(rows, func(r string) bool { return strings.Contains(r, "`callctl_exchange_unhealthy`") })]
	for _, r := range Reasons {
		if !strings.Contains(unhealthyRow, "`"+r+"`") {
			t.Errorf("README's callctl_exchange_unhealthy row does not name the reason %q", r)
		}
	}
}
