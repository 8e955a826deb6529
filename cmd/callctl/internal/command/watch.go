package command

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/watch"
)

// watch runs "callctl apply -auto-approve -watch=INTERVAL": an apply every
// interval until interrupted, with metrics served when asked.
func (c *ApplyCommand) watch(args *arguments.Apply) int {
	view := views.NewWatch(args.ViewType, views.NewView(c.Streams, args.NoColor))
	defer context.AfterFunc(c.Interrupts.Stop, view.Stopping)()
	opts := watch.Options{
		Interval: args.Watch,
		Request: operation.ApplyRequest{
			Request:     c.request(&args.Operation),
			Journal:     args.Journal,
			LockTimeout: args.LockTimeout,
		},
	}
	if args.MetricsAddr != "" {
		opts.Metrics = metrics.New()
		opts.Health = metrics.NewHealth(args.Watch, nil)
		srv, err := metrics.Start(args.MetricsAddr, opts.Metrics, opts.Health)
		if err != nil {
			for errors.Unwrap(err) != nil {
				err = errors.Unwrap(err)
			}
			view.Diagnostics(hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Cannot serve metrics",
				Detail:   fmt.Sprintf("callctl could not listen on %s (-metrics-addr): %s. Choose a free port, or stop what is using it.", args.MetricsAddr, err),
			}})
			return ExitError
		}
		defer srv.Close()
		c.Log.Info("serving metrics", "address", srv.Addr())
	}
	return exitCode(watch.Run(c.Interrupts.Stop, c.Interrupts.Hard, opts, view))
}
