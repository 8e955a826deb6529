package operation

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/callctl/callctl/reconcile"
)

// inFlight tracks the calls whose disconnect has been sent but not
// answered, to name them when a second interrupt abandons the apply.
type inFlight struct {
	reconcile.NilHook
	mu    sync.Mutex
	calls map[string]bool
}

func newInFlight() *inFlight { return &inFlight{calls: map[string]bool{}} }

func (h *inFlight) PreDisconnect(c *reconcile.Change) {
	h.mu.Lock()
	h.calls[c.Address] = true
	h.mu.Unlock()
}

// PostDisconnect forgets a call once the server has answered; a request
// cut off by the second interrupt got no answer, so it stays in flight.
func (h *inFlight) PostDisconnect(r *reconcile.Result) {
	if errors.Is(r.Err, context.Canceled) {
		return
	}
	h.mu.Lock()
	delete(h.calls, r.Change.Address)
	h.mu.Unlock()
}

func (h *inFlight) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.calls))
	for a := range h.calls {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}
