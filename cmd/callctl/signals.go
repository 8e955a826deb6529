package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/callctl/callctl/cmd/callctl/internal/command"
)

// notifyInterrupts turns SIGINT/SIGTERM into two stages: the first cancels
// Stop (start nothing new), the second Hard (abandon what is in flight).
// release undoes the signal handling.
func notifyInterrupts() (command.Interrupts, func()) {
	stop, stopCancel := context.WithCancel(context.Background())
	hard, hardCancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-sigs:
				n++
				if n == 1 {
					stopCancel()
				} else {
					hardCancel()
				}
			case <-done:
				return
			}
		}
	}()
	return command.Interrupts{Stop: stop, Hard: hard}, func() {
		signal.Stop(sigs)
		close(done)
		stopCancel()
		hardCancel()
	}
}
