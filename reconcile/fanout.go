package reconcile

import (
	"sync"
	"sync/atomic"
)

// perExchange runs work over items grouped by exchange (exchange name →
// indexes): exchanges side by side, and within one exchange at most limit
// at a time, so that one slow exchange does not starve another. Before an
// item starts, when a worker comes free for it, stopped is asked; once it
// says yes, that item and the rest go to skip instead of run. It returns
// when every item has been run or skipped. run and skip are called from
// many goroutines at once.
//
// Each exchange gets limit long-lived workers that take its items in
// order, rather than a goroutine per item: a new goroutine starts on a
// small stack and grows it again through a SOAP round trip, which cost a
// plan about a tenth of its CPU.
func perExchange(byExchange map[string][]int, limit int, stopped func() bool, run func(exchange string, i int), skip func(i int)) {
	var wg sync.WaitGroup
	for name, idx := range byExchange {
		var next atomic.Int64
		for range min(parallelism(limit), len(idx)) {
			wg.Go(func() {
				for {
					n := int(next.Add(1)) - 1
					if n >= len(idx) {
						return
					}
					if i := idx[n]; stopped() {
						skip(i)
					} else {
						run(name, i)
					}
				}
			})
		}
	}
	wg.Wait()
}
