package reconcile

import (
	"sync"

	"golang.org/x/sync/errgroup"
)

// perExchange runs work over items grouped by exchange (exchange name →
// indexes): exchanges side by side, and within one exchange at most limit
// at a time, so that one slow exchange does not starve another. Before an
// item starts, both when it is queued and again when a slot comes free
// for it, stopped is asked; once it says yes, that item and the rest go to
// skip instead of run. It returns when every item has been run or skipped.
// run and skip are called from many goroutines at once.
func perExchange(byExchange map[string][]int, limit int, stopped func() bool, run func(exchange string, i int), skip func(i int)) {
	var wg sync.WaitGroup
	for name, idx := range byExchange {
		wg.Go(func() {
			var g errgroup.Group
			g.SetLimit(parallelism(limit))
			for _, i := range idx {
				if stopped() {
					skip(i)
					continue
				}
				g.Go(func() error {
					// The slot may have come free only after a stop.
					if stopped() {
						skip(i)
						return nil
					}
					run(name, i)
					return nil
				})
			}
			_ = g.Wait()
		})
	}
	wg.Wait()
}
