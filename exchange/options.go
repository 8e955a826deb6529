// Package exchange owns callctl's client for an exchange: it builds one
// from an exchange block and the run's options (the SOAP client with
// package throttle's retries, back-off gate and adaptive concurrency on
// top), times and counts its requests, and pools the SOAP clients across
// the runs of a long-running caller (apply -watch) so that connections
// and their NTLM authentication are reused.
//
// What a run learns about an exchange — it is down, it is overloaded, it
// asked for a back-off, how many requests may be in flight — belongs to
// that run: every run gets a fresh retry layer over the pooled
// connections. Only a refused login outlives the run, until the
// credentials change, so that a wrong password never locks the account.
package exchange

import (
	"time"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/soap"
)

// DefaultParallelism is the default number of connections, and of
// requests in flight, per exchange.
const DefaultParallelism = soap.DefaultParallelism

// Options are the run-wide settings of every exchange's client.
type Options struct {
	// Parallelism is the number of connections, and of requests in
	// flight, per exchange. Default DefaultParallelism.
	Parallelism int
	// Timeout bounds each request; a hung server never hangs callctl.
	// Default throttle.DefaultTimeout.
	Timeout time.Duration
	// MaxBackoff is the longest server-advised wait (BackOffMilliseconds,
	// Retry-After) callctl accepts; calls asked to wait longer fail.
	// Default throttle.DefaultMaxBackoff.
	MaxBackoff time.Duration
	// MaxAttempts bounds tries per request. Default
	// throttle.DefaultMaxAttempts.
	MaxAttempts int
}

func (o Options) parallelism() int {
	if o.Parallelism <= 0 {
		return DefaultParallelism
	}
	return o.Parallelism
}

// SOAPOptions converts an exchange block into the options for its SOAP
// client.
func SOAPOptions(ex *config.Exchange, o Options) soap.Options {
	so := soap.Options{
		URL:                ex.URL,
		Dialect:            ex.Dialect,
		ServerVersion:      ex.ServerVersion,
		Auth:               soap.AuthNone,
		CAFile:             ex.CAFile,
		InsecureSkipVerify: ex.InsecureSkipVerify,
		AllowInsecureHTTP:  ex.AllowInsecureHTTP,
		Parallelism:        o.parallelism(),
		Timeout:            o.Timeout,
	}
	if a := ex.Auth; a != nil {
		so.Auth, so.Credentials = a.Kind, a.Credentials
	}
	return so
}
