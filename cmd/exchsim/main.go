// Command exchsim serves the Exchange phone-call simulator (package
// github.com/callctl/callctl/exchsim) until interrupted:
//
//	exchsim -listen 127.0.0.1:0 -calls calls.json -auth ntlm -user 'CORP\alice' -password secret
//
// The first line on stdout is "listening on http://HOST:PORT", with the
// real port when port 0 was asked for, so that scripts can wait for it.
// Bad flags or a bad calls file exit with status 2.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
