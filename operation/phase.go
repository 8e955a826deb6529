package operation

import "sync/atomic"

// Phase is where an apply is, for whoever must say what an interrupt
// stops: the view acknowledging it runs on the signal's goroutine and
// cannot know by itself whether disconnects are in flight.
type Phase int32

const (
	// PhasePreparing: loading, looking up, confirming; this run has
	// sent no disconnect.
	PhasePreparing Phase = iota
	// PhaseDisconnecting: disconnects are being sent; some may be in
	// flight.
	PhaseDisconnecting
	// PhaseFinished: the apply has returned; nothing is in flight.
	PhaseFinished
)

// PhaseRecorder holds an apply's current phase. The backend sets it; it
// is safe for concurrent use, and its zero value is PhasePreparing.
type PhaseRecorder struct{ p atomic.Int32 }

// Current returns the phase; a nil recorder is always preparing.
func (r *PhaseRecorder) Current() Phase {
	if r == nil {
		return PhasePreparing
	}
	return Phase(r.p.Load())
}

func (r *PhaseRecorder) set(p Phase) {
	if r != nil {
		r.p.Store(int32(p))
	}
}
