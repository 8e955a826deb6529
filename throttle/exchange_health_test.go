package throttle_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/soap"
	"github.com/callctl/callctl/throttle"
)

// lookUpAll looks n calls up at once through c and returns their errors.
func lookUpAll(c soap.Caller, n int) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = c.CallInfo(context.Background(), fmt.Sprintf("call-%03d", i))
		})
	}
	wg.Wait()
	return errs
}

// A wrong password with 40 calls in flight costs the account one failed
// login: the first request proves the credentials before the other lanes
// open, and its refusal stops every other request to the exchange.
func TestWrongPasswordCostsOneFailedLogin(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{Auth: exchsim.AuthNTLM, User: `CORP\alice`, Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	inner, err := soap.New(soap.Options{URL: srv.EWSURL(), Auth: authkind.NTLM, Credentials: authkind.Credentials{"username": `CORP\alice`, "password": "wrong"}, Parallelism: 10})
	if err != nil {
		t.Fatal(err)
	}
	c := throttle.Wrap(inner, throttle.Policy{Exchange: "corp", ProveFirst: true, Parallelism: 10})
	t.Cleanup(c.Close)

	errs := lookUpAll(c, 40)
	if n := srv.Stats().AuthFailures; n != 1 {
		t.Errorf("server counted %d failed logins for 40 calls, want 1", n)
	}
	for i, err := range errs {
		var xe *throttle.ExchangeError
		if !errors.As(err, &xe) || xe.Kind != throttle.KindAuth || !soap.AuthFailed(err) {
			t.Fatalf("call %d: err = %v, want an authentication ExchangeError", i, err)
		}
		if err.Error() != errs[0].Error() {
			t.Errorf("call %d reads %q, call 0 %q: one cause must read the same for every call", i, err, errs[0])
		}
	}
}

// A server that accepts connections and never answers is given up after
// DownAfter requests in a row, however many calls are waiting.
func TestHungExchangeIsDeclaredDownOnce(t *testing.T) {
	srv, err := exchsim.NewUnstartedServer(exchsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Faults.HangAll = true
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	inner, err := soap.New(soap.Options{URL: srv.EWSURL(), Parallelism: 10})
	if err != nil {
		t.Fatal(err)
	}
	c := throttle.Wrap(inner, throttle.Policy{Exchange: "corp", ProveFirst: true, Parallelism: 10,
		Timeout: 50 * time.Millisecond, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})
	t.Cleanup(c.Close)

	errs := lookUpAll(c, 30)
	if n := srv.Stats().Faults[exchsim.FaultHang]; n != throttle.DefaultDownAfter {
		t.Errorf("server saw %d requests, want %d (DownAfter) before the exchange is given up", n, throttle.DefaultDownAfter)
	}
	for i, err := range errs {
		var xe *throttle.ExchangeError
		if !errors.As(err, &xe) || xe.Kind != throttle.KindDown || xe.Exchange != "corp" {
			t.Fatalf("call %d: err = %v, want a down ExchangeError for corp", i, err)
		}
	}
}
