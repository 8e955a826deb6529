package policytest

import (
	"context"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// mockCaller is a mock exchange at the soap.Caller interface: no socket,
// no protocol, just the call table. Runs of one file share it.
type mockCaller struct {
	name  string
	fault string

	mu     sync.Mutex
	states map[string]string
}

var _ soap.Caller = (*mockCaller)(nil)

func newMockCaller(m *MockExchange) *mockCaller {
	states := make(map[string]string, len(m.Calls))
	for id, st := range m.Calls {
		states[id] = st
	}
	return &mockCaller{name: m.Name, fault: m.Fault, states: states}
}

func (c *mockCaller) CallInfo(ctx context.Context, callID string) (soap.CallInfo, error) {
	if err := c.faultError("GetPhoneCallInformation"); err != nil {
		return soap.CallInfo{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.states[callID]
	if !ok {
		return soap.CallInfo{}, notFound("GetPhoneCallInformation")
	}
	return soap.CallInfo{State: st, Cause: "None"}, nil
}

func (c *mockCaller) Disconnect(ctx context.Context, callID string) error {
	if err := c.faultError("DisconnectPhoneCall"); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.states[callID]; !ok {
		return notFound("DisconnectPhoneCall")
	}
	c.states[callID] = soap.StateDisconnected
	return nil
}

func (c *mockCaller) Close() {}

func notFound(op string) error {
	return &soap.ResponseError{Operation: op, Class: "Error", Code: "ErrorInvalidPhoneCallId", MessageText: "The phone call ID is invalid."}
}

// faultError is what the retry layer (package throttle) reports once it
// gives an unhealthy exchange up, so that a test sees the words and the
// outcome a real run would, without waiting out the retries.
func (c *mockCaller) faultError(op string) error {
	switch c.fault {
	case "busy":
		return &throttle.ExchangeError{Exchange: c.name, Kind: throttle.KindOverloaded, Count: 3, Busy: 3, For: throttle.DefaultStallAfter, Window: throttle.DefaultStallAfter,
			Err: &soap.ResponseError{Operation: op, Class: "Error", Code: "ErrorServerBusy", MessageText: "The server cannot service this request right now. Try again later.", BackOff: time.Second}}
	case "unauthorized":
		return &throttle.ExchangeError{Exchange: c.name, Kind: throttle.KindAuth,
			Err: &soap.HTTPError{Operation: op, StatusCode: http.StatusUnauthorized, Status: "401 Unauthorized", Authenticate: []string{"NTLM", "Negotiate"}}}
	case "down":
		return &throttle.ExchangeError{Exchange: c.name, Kind: throttle.KindDown, Count: 3, For: 3 * time.Second,
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	}
	return nil
}
