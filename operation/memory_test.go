package operation

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/callctl/callctl/reconcile"
)

// phaseLog records the memory tuning's calls and the lookups between
// them.
type phaseLog struct {
	reconcile.NilHook
	mu     sync.Mutex
	events []string
}

func (l *phaseLog) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *phaseLog) Loading() func() {
	l.add("loading")
	return func() { l.add("loaded") }
}

func (l *phaseLog) Plan(calls int) func() {
	l.add("plan " + string(rune('0'+calls)))
	return func() { l.add("plan closed") }
}

func (l *phaseLog) PostLookup(*reconcile.Change, error) { l.add("lookup") }

// The program's tuning is applied around loading and for the plan's
// life, in that order; without one, operation changes nothing (it has no
// code that would).
func TestMemoryTuningPhases(t *testing.T) {
	f := newFixture(t, 0)
	log := &phaseLog{}
	req := f.request()
	req.Hooks, req.Memory = []reconcile.Hook{log}, log
	p, diags := MakePlan(context.Background(), &req, &recorder{})
	if diags.HasErrors() {
		p.Close()
		t.Fatal(diags.Error())
	}
	log.add("rendered")
	p.Close()
	want := []string{"loading", "loaded", "plan 2", "lookup", "lookup", "rendered", "plan closed"}
	if !slices.Equal(log.events, want) {
		t.Errorf("events %q, want %q", log.events, want)
	}
}
