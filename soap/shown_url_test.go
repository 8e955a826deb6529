package soap

import (
	"context"
	"net"
	"strings"
	"testing"
)

// A connection error names the endpoint without its query string, which
// may carry a key: "?api_key=..." never reaches a message.
func TestConnectionErrorHidesQuery(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // refused from now on
	c := mustNew(t, Options{URL: "http://" + addr + "/EWS/Exchange.asmx?api_key=S3CRETPIN9#frag"})
	_, err = c.CallInfo(context.Background(), "id")
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	msg := err.Error()
	if strings.Contains(msg, "S3CRETPIN9") || strings.Contains(msg, "frag") {
		t.Errorf("error shows the query: %q", msg)
	}
	if want := "POST http://" + addr + "/EWS/Exchange.asmx?…:"; !strings.Contains(msg, want) {
		t.Errorf("error %q does not name the endpoint as %q", msg, want)
	}
}
