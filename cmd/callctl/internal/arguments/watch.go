package arguments

import (
	"flag"
	"fmt"
	"net"

	"github.com/hashicorp/hcl/v2"
)

// addWatchFlags adds apply's -watch, -metrics-addr and -metrics-web-config.
func (a *Apply) addWatchFlags(fs *flag.FlagSet) {
	fs.DurationVar(&a.Watch, "watch", 0, "apply again every interval until interrupted (needs -auto-approve)")
	fs.StringVar(&a.MetricsAddr, "metrics-addr", "", "with -watch, serve Prometheus /metrics and the /livez and /readyz probes on this host:port (:port for every interface)")
	fs.StringVar(&a.MetricsWebConfig, "metrics-web-config", "", "with -metrics-addr, TLS and basic auth from this Prometheus web config file")
}

// checkWatch refuses the combinations a continuous apply cannot honour:
// nobody is there to confirm each cycle, a saved plan goes stale after
// one, and metrics only make sense while watching.
func (a *Apply) checkWatch(fs *flag.FlagSet) hcl.Diagnostics {
	var diags hcl.Diagnostics
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["watch"] && a.Watch <= 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid -watch",
			Detail:   fmt.Sprintf("The -watch flag must be a positive interval such as 30s or 1m, but %s was given.", a.Watch),
		})
	}
	if a.Watch > 0 && !a.AutoApprove {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "-watch needs -auto-approve",
			Detail:   "With -watch, callctl applies every interval with nobody to confirm each run. Add -auto-approve to say that every plan may be applied without review.",
		})
	}
	if a.Watch > 0 && a.PlanFile != "" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Can't watch a saved plan",
			Detail:   fmt.Sprintf("A saved plan (%q) records the calls' states when it was made, so it cannot be applied again each interval. Drop the plan file: with -watch, callctl makes a fresh plan every cycle.", a.PlanFile),
		})
	}
	if a.MetricsAddr != "" && a.Watch <= 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "-metrics-addr needs -watch",
			Detail:   "Metrics are served while callctl applies continuously. Add -watch=INTERVAL, or drop -metrics-addr.",
		})
	}
	if a.MetricsWebConfig != "" && a.MetricsAddr == "" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "-metrics-web-config needs -metrics-addr",
			Detail:   "The web config file sets up TLS and basic auth for the metrics server, which -metrics-addr=HOST:PORT starts. Add -metrics-addr, or drop -metrics-web-config.",
		})
	}
	if a.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(a.MetricsAddr); err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid -metrics-addr",
				Detail:   fmt.Sprintf("The -metrics-addr flag must be host:port, such as 127.0.0.1:9464 (or :9464 for every interface), but %q was given.", a.MetricsAddr),
			})
		}
	}
	return diags
}
