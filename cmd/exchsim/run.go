package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/internal/atomicfile"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the server could not start, e.g. the port is taken
	exitUsage = 2 // bad flags or calls file
)

// run starts the simulator and serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, caOut, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if errors.Is(err, errReported) {
		return exitUsage
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	srv, err := exchsim.NewUnstartedServer(opts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	if err := srv.Start(); err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	defer srv.Close()
	if caOut != "" {
		if err := atomicfile.Write(caOut, srv.CACertPEM(), 0o644); err != nil {
			fmt.Fprintf(stderr, "exchsim: -tls-ca-out: %v\n", err)
			return exitError
		}
	}

	fmt.Fprintf(stdout, "listening on %s\n", srv.URL)
	if f, ok := stdout.(interface{ Flush() error }); ok {
		f.Flush() // a reader that went away changes nothing
	}
	<-ctx.Done()
	return exitOK
}

// errReported stands for a flag syntax error that the flag package has
// already printed, with the usage.
var errReported = errors.New("exchsim: bad flags")

// parseArgs turns the command line into server options. Errors other than
// errReported and flag.ErrHelp are for the caller to print.
func parseArgs(args []string, stderr io.Writer) (opts exchsim.Options, caOut string, err error) {
	var (
		callsFile         string
		certFile, keyFile string
		f                 = &opts.Faults
	)
	fs := flag.NewFlagSet("exchsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usage(fs)
	fs.StringVar(&opts.Listen, "listen", "127.0.0.1:0", "`address` to listen on; must be loopback unless -allow-non-loopback")
	fs.BoolVar(&opts.AllowNonLoopback, "allow-non-loopback", false, "allow listening beyond this machine")
	fs.StringVar(&callsFile, "calls", "", "JSON `file` with the call table: {\"calls\":[{\"id\":..,\"state\":..}]}")
	fs.BoolVar(&opts.TLS, "tls", false, "serve https with a certificate generated for 127.0.0.1 and localhost (see -tls-ca-out)")
	fs.StringVar(&caOut, "tls-ca-out", "", "with -tls, write the generated CA certificate (PEM) to `file`, for a client's ca_file")
	fs.StringVar(&certFile, "tls-cert", "", "serve https with this PEM certificate (chain) `file`; needs -tls-key")
	fs.StringVar(&keyFile, "tls-key", "", "PEM private key `file` of -tls-cert")
	fs.StringVar(&opts.EPA, "epa", exchsim.EPANone, "Extended Protection: none, allow (refuse a wrong channel binding) or require (refuse a missing one too); needs TLS")
	fs.StringVar(&opts.Auth, "auth", exchsim.AuthNone, "authentication: "+authkind.OrList(exchsim.AuthModes(), false))
	fs.StringVar(&opts.Keytab, "keytab", "", "service keytab `file` for -auth kerberos: tickets for any principal in it (e.g. HTTP/127.0.0.1) are accepted")
	fs.StringVar(&opts.User, "user", "", `user for any auth but none, e.g. CORP\alice; for kerberos the client principal let in, alice@REALM`)
	fs.StringVar(&opts.Password, "password", "", "password for any auth but none; a failed login counts in /_exchsim/stats auth_failures")
	fs.DurationVar(&opts.Latency, "latency", 0, "delay before every SOAP response")
	fs.Float64Var(&f.ServerBusyRate, "busy-rate", 0, "share of requests answered with ErrorServerBusy")
	fs.DurationVar(&f.BackOff, "backoff", 0, "BackOffMilliseconds sent with ErrorServerBusy")
	fs.Float64Var(&f.ConnectionCountRate, "connection-count-rate", 0, "share of requests answered with ErrorExceededConnectionCount")
	fs.Float64Var(&f.UnavailableRate, "unavailable-rate", 0, "share of requests answered with HTTP 503")
	fs.DurationVar(&f.RetryAfter, "retry-after", 0, "Retry-After sent with HTTP 503")
	fs.Float64Var(&f.ResetRate, "reset-rate", 0, "share of requests that run, then have their connection reset mid-response")
	fs.Float64Var(&f.HangRate, "hang-rate", 0, "share of authenticated requests that never get an answer")
	fs.BoolVar(&f.HangAll, "hang", false, "answer no request at all, not even an NTLM login's first leg (stats count them under faults.hang)")
	fs.Float64Var(&f.HTMLErrorRate, "html-error-rate", 0, "share of requests answered with an HTML 500 page")
	fs.DurationVar(&f.SlowFirstByte, "slow-first-byte", 0, "delay before every response's first byte")
	fs.Int64Var(&f.Seed, "seed", 0, "seed for choosing which requests fault")
	fs.Func("fail-call", "answer every request naming call `id` with an HTML 500 page (repeatable)", func(id string) error {
		f.FailCalls = append(f.FailCalls, id)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, "", err
		}
		return opts, "", errReported
	}
	if fs.NArg() > 0 {
		return opts, "", fmt.Errorf("exchsim: unexpected argument %q; all settings are flags", fs.Arg(0))
	}
	switch {
	case (certFile == "") != (keyFile == ""):
		return opts, "", errors.New("exchsim: -tls-cert and -tls-key go together: give both, or -tls for a generated certificate")
	case certFile != "" && opts.TLS:
		return opts, "", errors.New("exchsim: -tls generates a certificate and -tls-cert serves a given one: use one of them")
	case caOut != "" && !opts.TLS:
		return opts, "", errors.New("exchsim: -tls-ca-out writes the CA of the certificate -tls generates: add -tls")
	case certFile != "":
		c, err := exchsim.LoadCertificate(certFile, keyFile)
		if err != nil {
			return opts, "", err
		}
		opts.Certificate = c
	}
	if callsFile != "" {
		calls, err := loadCallsFile(callsFile)
		if err != nil {
			return opts, "", err
		}
		opts.Calls = calls
	}
	return opts, caOut, nil
}

func loadCallsFile(name string) ([]exchsim.Call, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("exchsim: -calls: %w", err)
	}
	defer f.Close()
	calls, err := exchsim.LoadCalls(f)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, name)
	}
	return calls, nil
}
