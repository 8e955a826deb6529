package operation

import (
	"reflect"
	"testing"

	"github.com/callctl/callctl/reconcile"
)

// events is a hook that records what it is told, in order.
type events struct {
	reconcile.NilHook
	got []string
}

func (e *events) PostLookup(c *reconcile.Change, err error) {
	e.got = append(e.got, "lookup "+c.CallID)
}
func (e *events) PreDisconnect(c *reconcile.Change)  { e.got = append(e.got, "pre "+c.CallID) }
func (e *events) PostDisconnect(r *reconcile.Result) { e.got = append(e.got, "post "+r.Change.CallID) }

// mutable passes every event to each hook until muted, and none after.
func TestMutableHooks(t *testing.T) {
	a, b := &events{}, &events{}
	m := &mutable{hooks: []reconcile.Hook{a, b}}
	send := func(id string) {
		c := &reconcile.Change{CallID: id}
		m.PostLookup(c, nil)
		m.PreDisconnect(c)
		m.PostDisconnect(&reconcile.Result{Change: c})
	}
	send("c-1")
	m.mute()
	send("c-2")
	want := []string{"lookup c-1", "pre c-1", "post c-1"}
	for i, h := range []*events{a, b} {
		if !reflect.DeepEqual(h.got, want) {
			t.Errorf("hook %d told %q, want %q", i, h.got, want)
		}
	}
}
