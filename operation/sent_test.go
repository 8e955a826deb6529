package operation

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/journal"
	"github.com/callctl/callctl/reconcile"
)

// A disconnect answered only by server error pages (an HTML 500) went
// out: the journal and the result say "sent, outcome unknown", never "not
// sent", since the server may have ended the call before failing.
func TestDisconnectAnsweredByErrorPageIsSentOutcomeUnknown(t *testing.T) {
	f := newFixture(t, 0)
	target, _ := url.Parse(f.srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var disconnects atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("SOAPAction"), "DisconnectPhoneCall") {
			disconnects.Add(1)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte("<html><head><title>Runtime Error</title></head><body>Server Error in '/EWS' Application.</body></html>"))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	req := &ApplyRequest{Request: f.request(), AutoApprove: true}
	req.Vars = []string{"url=" + front.URL + exchsim.EWSPath}
	req.Connect.MaxAttempts = 2
	req.Connect.Timeout = 2 * time.Second
	view := &recorder{}
	res := Apply(context.Background(), context.Background(), req, view)
	if res.Applied == nil {
		t.Fatalf("nothing applied; diagnostics %q", view.summaries())
	}
	if disconnects.Load() == 0 {
		t.Fatal("no disconnect reached the server")
	}
	for _, r := range res.Applied.Results {
		if r.Outcome != reconcile.OutcomeUnknown {
			t.Errorf("%s: outcome %q (%v), want sent, outcome unknown", r.Change.CallID, r.Outcome, r.Err)
		}
		if r.Err != nil && strings.Contains(r.Err.Error(), "not sent") {
			t.Errorf("%s: %v says not sent", r.Change.CallID, r.Err)
		}
	}
	unknown := 0
	for _, e := range readJournal(t, req.JournalPath()) {
		if e.Event == journal.EventOutcome {
			if e.Outcome != reconcile.OutcomeUnknown {
				t.Errorf("journal: %s outcome %q, want %q", e.CallID, e.Outcome, reconcile.OutcomeUnknown)
			}
			unknown++
		}
	}
	if unknown != 2 {
		t.Errorf("journal holds %d outcomes, want 2", unknown)
	}
}
