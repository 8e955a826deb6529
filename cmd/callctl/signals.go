package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/callctl/callctl/cmd/callctl/internal/command"
)

// interruptsHandled is called once interrupts are handled: before, one
// ends the process as the default action would. A test that must signal a
// loading or running callctl waits for it (see TestMain).
var interruptsHandled = func() {}

// notifyInterrupts turns SIGINT/SIGTERM/SIGHUP into two stages: the first
// cancels Stop (start nothing new), the second Hard (abandon what is in
// flight). SIGHUP (an SSH session dropping) is an interrupt like the
// others, except while a watch has asked for it (Interrupts.Reload): then
// it starts the next cycle now. release undoes the signal handling.
func notifyInterrupts() (command.Interrupts, func()) {
	stop, stopCancel := context.WithCancel(context.Background())
	hard, hardCancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	interruptsHandled()
	reload := &command.Reload{C: make(chan struct{}, 1)}
	done := make(chan struct{})
	var n atomic.Int32
	go func() {
		for {
			select {
			case sig := <-sigs:
				if sig == syscall.SIGHUP && reload.Wanted() {
					reload.Send()
					continue
				}
				if n.Add(1) == 1 {
					stopCancel()
				} else {
					hardCancel()
				}
			case <-done:
				return
			}
		}
	}()
	return command.Interrupts{Stop: stop, Hard: hard, Reload: reload}, func() {
		signal.Stop(sigs)
		close(done)
		stopCancel()
		hardCancel()
	}
}
