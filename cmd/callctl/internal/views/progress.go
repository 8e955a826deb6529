package views

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callctl/callctl/reconcile"
)

// Progress reporting for long plans and applies. Nothing is shown for the
// first few seconds, so short runs stay quiet. On a terminal one status
// line is redrawn in place; otherwise a plain line is printed now and then,
// so that CI logs show the run is alive without being flooded.
var (
	progressDelay         = 2 * time.Second
	progressTerminalEvery = 250 * time.Millisecond
	progressPlainEvery    = 10 * time.Second
)

// progress counts completions of one phase (lookups or disconnects) and
// reports them until stopped.
type progress struct {
	v     *View
	verb  string // "Looked up", "Finished"
	total int
	done  atomic.Int64
	start time.Time
	stop  chan struct{}
	wg    sync.WaitGroup
}

func (v *View) startProgress(verb string, total int) *progress {
	p := &progress{v: v, verb: verb, total: total, start: time.Now(), stop: make(chan struct{})}
	p.wg.Go(p.run)
	return p
}

func (p *progress) run() {
	every := progressPlainEvery
	if p.v.streams.OutIsTerminal {
		every = progressTerminalEvery
	}
	select {
	case <-time.After(progressDelay):
	case <-p.stop:
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		p.report()
		select {
		case <-t.C:
		case <-p.stop:
			return
		}
	}
}

// line describes progress so far: done/total, rate and time left.
func (p *progress) line() string {
	done := p.done.Load()
	elapsed := time.Since(p.start)
	rate := float64(done) / elapsed.Seconds()
	s := fmt.Sprintf("%s %d/%d calls (%d%%), %.0f/s", p.verb, done, p.total, 100*done/int64(max(p.total, 1)), rate)
	if rate > 0 && int(done) < p.total {
		left := time.Duration(float64(p.total-int(done)) / rate * float64(time.Second))
		s += fmt.Sprintf(", about %s left", left.Round(time.Second))
	}
	if p.v.waiting != nil {
		for _, w := range p.v.waiting() {
			s += "; " + w
		}
	}
	return s
}

func (p *progress) report() {
	if p.v.streams.OutIsTerminal {
		p.v.printStatus(p.line())
		return
	}
	p.v.printf("%s...\n", p.line())
}

// finish stops reporting and erases the status line.
func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.v.mu.Lock()
	p.v.clearStatus()
	p.v.mu.Unlock()
}

// progressHook counts completions for a progress.
type progressHook struct {
	reconcile.NilHook
	lookups, disconnects func() *progress
}

func (h *progressHook) PostLookup(*reconcile.Change, error) {
	if p := h.lookups(); p != nil {
		p.done.Add(1)
	}
}

func (h *progressHook) PostDisconnect(*reconcile.Result) {
	if p := h.disconnects(); p != nil {
		p.done.Add(1)
	}
}
