package command

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/watch"
)

// defaultLongestCycle is how long /livez allows a cycle without
// -deadline: a cycle that has not ended by then is taken for hung.
const defaultLongestCycle = 15 * time.Minute

// watch runs "callctl apply -auto-approve -watch=INTERVAL": an apply every
// interval until interrupted, with metrics served when asked.
func (c *ApplyCommand) watch(args *arguments.Apply) int {
	view := views.NewWatch(args.ViewType, views.NewView(c.Streams, args.NoColor))
	// Every cycle's apply records its phase here; between cycles it is
	// finished.
	phase := &operation.PhaseRecorder{}
	defer context.AfterFunc(c.Interrupts.Stop, func() { view.Stopping(phase.Current()) })()
	opts := watch.Options{
		Interval: args.Watch,
		Request: operation.ApplyRequest{
			Phase:       phase,
			Request:     c.request(&args.Operation),
			Journal:     args.Journal,
			StateDir:    args.StateDir,
			LockTimeout: args.LockTimeout,
		},
	}
	stop := c.Interrupts.Stop
	var srv *metrics.Server
	if args.MetricsAddr != "" {
		longest := args.Deadline
		if longest <= 0 {
			longest = defaultLongestCycle
		}
		opts.Metrics = metrics.New()
		opts.Health = metrics.NewHealth(args.Watch, longest, nil)
		opts.Metrics.Registry().MustRegister(opts.Health)
		var err error
		srv, err = metrics.Start(metrics.ServerOptions{Addr: args.MetricsAddr, WebConfig: args.MetricsWebConfig, Log: c.Log}, opts.Metrics, opts.Health)
		if err != nil {
			view.Diagnostics(hcl.Diagnostics{metricsStartError(args, err)})
			return ExitError
		}
		defer srv.Close()
		view.MetricsServing(srv.Listening)
		// A metrics server that dies takes the probes with it: the watch
		// stops as on an interrupt and exits 1, so that its supervisor
		// restarts it rather than it reconciling on, unwatched.
		var cancel context.CancelFunc
		stop, cancel = context.WithCancel(stop)
		defer cancel()
		go func() {
			select {
			case <-srv.Done():
				cancel()
			case <-stop.Done():
			}
		}()
	}
	if r := c.Interrupts.Reload; r != nil {
		r.Want()
		opts.Reload = r.C
	}
	code := exitCode(watch.Run(stop, c.Interrupts.Hard, opts, view))
	if srv != nil && srv.Err() != nil {
		view.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "The metrics server stopped",
			Detail:   fmt.Sprintf("Serving %s (-metrics-addr) failed: %s. callctl stopped watching so that its supervisor restarts it with working probes.", args.MetricsAddr, srv.Err()),
		}})
		return ExitError
	}
	return code
}

// metricsStartError says why the metrics server could not start.
func metricsStartError(args *arguments.Apply, err error) *hcl.Diagnostic {
	if wc := (*metrics.WebConfigError)(nil); errors.As(err, &wc) {
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid -metrics-web-config",
			Detail:   fmt.Sprintf("callctl could not use the web config file %s: %s. Its format is Prometheus' (https://prometheus.io/docs/prometheus/latest/configuration/https/).", wc.Path, wc.Err),
		}
	}
	for errors.Unwrap(err) != nil {
		err = errors.Unwrap(err)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Cannot serve metrics",
		Detail:   fmt.Sprintf("callctl could not listen on %s (-metrics-addr): %s. Choose a free port, or stop what is using it.", args.MetricsAddr, err),
	}
}
