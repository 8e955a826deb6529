package reconcile

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callctl/callctl/soap"
)

// fakeCaller is an in-memory exchange: a call table plus per-id failures.
type fakeCaller struct {
	mu       sync.Mutex
	states   map[string]string
	lookErr  map[string]error // returned by CallInfo for that id
	discErr  map[string]error // returned by Disconnect for that id
	discs    []string         // ids disconnected, in order
	block    chan struct{}    // when non-nil, every request waits on it
	inFlight atomic.Int32
	maxSeen  atomic.Int32
}

func newFake(states map[string]string) *fakeCaller {
	return &fakeCaller{states: states, lookErr: map[string]error{}, discErr: map[string]error{}}
}

func (f *fakeCaller) enter() func() {
	n := f.inFlight.Add(1)
	for {
		m := f.maxSeen.Load()
		if n <= m || f.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	if f.block != nil {
		<-f.block
	}
	return func() { f.inFlight.Add(-1) }
}

func (f *fakeCaller) CallInfo(ctx context.Context, id string) (soap.CallInfo, error) {
	defer f.enter()()
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.lookErr[id]; err != nil {
		return soap.CallInfo{}, err
	}
	st, ok := f.states[id]
	if !ok {
		return soap.CallInfo{}, soap.ErrCallNotFound
	}
	return soap.CallInfo{State: st, Cause: "None"}, nil
}

func (f *fakeCaller) Disconnect(ctx context.Context, id string) error {
	defer f.enter()()
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.discErr[id]; err != nil {
		return err
	}
	if _, ok := f.states[id]; !ok {
		return soap.ErrCallNotFound
	}
	f.states[id] = soap.StateDisconnected
	f.discs = append(f.discs, id)
	return nil
}

func (f *fakeCaller) Close() {}

var errBoom = errors.New("soap: GetPhoneCallInformation: server answered ErrorInternalServerError")

func waitABit() { time.Sleep(time.Millisecond) }
