package reconcile

// Hook is told of progress as a plan or apply runs. Methods are called from
// many goroutines at once, so implementations must be safe for concurrent
// use; they should return quickly, since the worker waits for them.
type Hook interface {
	// PostLookup is called after each call has been looked up; err is
	// non-nil when the lookup failed (the plan will then fail).
	PostLookup(c *Change, err error)
	// PreDisconnect is called just before a disconnect is sent.
	PreDisconnect(c *Change)
	// PostDisconnect is called with each call's final outcome.
	PostDisconnect(r *Result)
}

// Gate is an optional interface for hooks that must agree before a
// disconnect is sent: the journal records its intent durably first. A
// non-nil error means the disconnect must not be sent.
type Gate interface {
	Gate(c *Change) error
}

// NilHook implements Hook with no-ops; embed it to implement only some
// methods.
type NilHook struct{}

var _ Hook = NilHook{}

func (NilHook) PostLookup(*Change, error) {}
func (NilHook) PreDisconnect(*Change)     {}
func (NilHook) PostDisconnect(*Result)    {}

// hooks fans one call out to several hooks.
type hooks []Hook

func (hs hooks) PostLookup(c *Change, err error) {
	for _, h := range hs {
		h.PostLookup(c, err)
	}
}

func (hs hooks) PreDisconnect(c *Change) {
	for _, h := range hs {
		h.PreDisconnect(c)
	}
}

func (hs hooks) PostDisconnect(r *Result) {
	for _, h := range hs {
		h.PostDisconnect(r)
	}
}

// gate asks every hook that is a Gate whether the disconnect may be sent.
func (hs hooks) gate(c *Change) error {
	for _, h := range hs {
		if g, ok := h.(Gate); ok {
			if err := g.Gate(c); err != nil {
				return err
			}
		}
	}
	return nil
}
