package main

import (
	"flag"
	"fmt"
)

// adminHelp documents the endpoints a test harness drives the running
// simulator through; they need no authentication.
const adminHelp = `
Admin endpoints (no authentication; for test harnesses):
  GET  /_exchsim/calls   The call table, in the -calls file's shape.
  POST /_exchsim/calls   Add or change calls while the server runs. The body
                         has the -calls file's shape, e.g.
                           {"calls":[{"id":"c-9","state":"Connected"}]}
                         Each call is added, or replaces the call with its
                         id; calls not named are kept. A bad body changes
                         nothing and is answered 400. The answer is the
                         whole table, as GET returns it. Example:
                           curl -d '{"calls":[{"id":"c-9","state":"Connected"}]}' \
                             http://127.0.0.1:PORT/_exchsim/calls
  GET  /_exchsim/stats   Counters: requests per operation, connections,
                         NTLM handshakes, Kerberos logins, auth_failures
                         (refused logins), cbt_missing and cbt_mismatch
                         (logins refused by -epa), faults.
`

// usage prints the flags, then the admin endpoints.
func usage(fs *flag.FlagSet) func() {
	return func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: exchsim [flags]\n\nServes a simulated Exchange phone-call service until interrupted.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprint(out, adminHelp)
	}
}
