package arguments

import (
	"flag"
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/throttle"
	"github.com/callctl/callctl/vocab"
)

// Operation holds the flags plan and apply share.
type Operation struct {
	Vars
	Parallelism    int
	Targets        []string
	Excludes       []string
	MaxDisconnects int // -1 means no cap
	NoColor        bool
	ViewType       ViewType
	// Timeout bounds each request, Deadline the whole run (0: none),
	// MaxBackoff the longest server-advised wait accepted.
	Timeout    time.Duration
	Deadline   time.Duration
	MaxBackoff time.Duration
	// NotFound is what a call the exchange does not know means: "warn"
	// (default) or "error", which refuses the plan.
	NotFound string
	// Input false (-input=false) never prompts: an apply that would ask
	// for confirmation is an error at once.
	Input bool
	// CompactWarnings prints warnings as one line each.
	CompactWarnings bool
}

func (o *Operation) addFlags(fs *flag.FlagSet) {
	fs.Var(varFlag{&o.Vars}, "var", "set a variable: -var 'name=value' (repeatable)")
	fs.Var(varFileFlag{&o.Vars}, "var-file", "load variables from a file (repeatable)")
	fs.IntVar(&o.Parallelism, "parallelism", vocab.DefaultParallelism, "requests in flight per exchange")
	fs.Var((*repeated)(&o.Targets), "target", "only act on this call address (repeatable)")
	fs.Var((*repeated)(&o.Excludes), "exclude", "never act on this call address (repeatable)")
	fs.IntVar(&o.MaxDisconnects, "max-disconnects", -1, "refuse a plan that would disconnect more than N calls (-1: no cap)")
	fs.BoolVar(&o.NoColor, "no-color", false, "disable colour")
	fs.DurationVar(&o.Timeout, "timeout", vocab.DefaultTimeout, "give up on one request after this long (it is retried; an exchange that answers none of its first three requests is given up)")
	fs.DurationVar(&o.Deadline, "deadline", 0, "give up on the whole run after this long (0: no deadline)")
	fs.DurationVar(&o.MaxBackoff, "max-backoff", vocab.DefaultMaxBackoff, "fail calls the server asks to wait longer than this (0: never wait)")
	fs.StringVar(&o.NotFound, "not-found", string(reconcile.NotFoundWarn), "a call the exchange does not know: warn, or error (refuse the plan)")
	fs.BoolFunc("json", "machine-readable output", func(string) error { o.ViewType = ViewJSON; return nil })
	fs.BoolVar(&o.Input, "input", true, "ask for input; -input=false never prompts")
	fs.BoolVar(&o.CompactWarnings, "compact-warnings", false, "show warnings as one line each")
}

func (o *Operation) check(cmd string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if o.Parallelism < 1 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid parallelism",
			Detail:   fmt.Sprintf("The -parallelism flag must be at least 1, but %d was given.", o.Parallelism),
		})
	}
	// In flag order, so that the diagnostics come out the same each run.
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"-timeout", o.Timeout}, {"-deadline", o.Deadline}, {"-max-backoff", o.MaxBackoff}} {
		name, d := f.name, f.d
		if d < 0 || (d == 0 && name == "-timeout") {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid " + name,
				Detail:   fmt.Sprintf("The %s flag must be a positive duration such as 30s or 5m, but %s was given.", name, d),
			})
		}
	}
	if o.NotFound != string(reconcile.NotFoundWarn) && o.NotFound != string(reconcile.NotFoundError) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid -not-found",
			Detail:   fmt.Sprintf("The -not-found flag accepts \"warn\" (the default: list calls the exchange does not know as warnings) or \"error\" (refuse the plan), but %q was given.", o.NotFound),
		})
	}
	if o.MaxDisconnects < -1 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid -max-disconnects",
			Detail:   fmt.Sprintf("The -max-disconnects flag must be -1 (no cap), 0 (refuse any disconnect) or more, but %d was given.", o.MaxDisconnects),
		})
	}
	return diags
}

// Plan is the parsed form of "callctl plan".
type Plan struct {
	Operation
	Out              string
	DetailedExitCode bool
}

// ParsePlan parses plan's flags.
func ParsePlan(args []string) (*Plan, hcl.Diagnostics) {
	p := &Plan{}
	fs := newFlagSet("plan")
	p.addFlags(fs)
	fs.StringVar(&p.Out, "out", "", "write the plan to this file")
	fs.BoolVar(&p.DetailedExitCode, "detailed-exitcode", false, "exit 2 when the plan has changes")
	var diags hcl.Diagnostics
	if err := fs.Parse(args); err != nil {
		return p, append(diags, flagError("plan", fs, err))
	}
	if fs.NArg() > 0 {
		diags = append(diags, tooManyArgs("plan", fs.Args(), "plan takes no positional arguments; it reads the policy in the current directory (see -chdir)"))
	}
	return p, append(diags, p.check("plan")...)
}

// Apply is the parsed form of "callctl apply [PLANFILE]".
type Apply struct {
	Operation
	AutoApprove bool
	PlanFile    string // set when applying a saved plan
	// LockTimeout is how long to wait for another apply on the same
	// policy directory to finish; 0 means fail at once.
	LockTimeout time.Duration
	// Journal is the journal file; empty means journal.DefaultPath in the
	// policy directory.
	Journal string
	// StateDir holds the lock and the default journal instead of the
	// policy directory's .callctl/.
	StateDir  string
	planFlags []string
	// Watch, when non-zero, applies again every Watch until interrupted
	// (see watch.go); MetricsAddr serves Prometheus metrics meanwhile.
	Watch       time.Duration
	MetricsAddr string
	// MetricsWebConfig is an exporter-toolkit web config file turning on
	// TLS and basic auth for the metrics server.
	MetricsWebConfig string
}

// ParseApply parses apply's flags.
func ParseApply(args []string) (*Apply, hcl.Diagnostics) {
	a := &Apply{}
	fs := newFlagSet("apply")
	a.addFlags(fs)
	fs.BoolVar(&a.AutoApprove, "auto-approve", false, "skip the confirmation prompt")
	fs.DurationVar(&a.LockTimeout, "lock-timeout", 0, "wait this long for another apply on the same policy to finish")
	fs.StringVar(&a.Journal, "journal", "", "append the record of disconnects to this file (default .callctl/journal.jsonl)")
	fs.StringVar(&a.StateDir, "state-dir", "", "keep the apply lock and the default journal in this directory instead of .callctl/, so the policy directory can be read-only")
	a.addWatchFlags(fs)
	var diags hcl.Diagnostics
	if err := fs.Parse(args); err != nil {
		return a, append(diags, flagError("apply", fs, err))
	}
	switch fs.NArg() {
	case 0:
	case 1:
		a.PlanFile = fs.Arg(0)
		// A saved plan is applied exactly as reviewed, so options that
		// would change what it does are refused rather than ignored.
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "var", "var-file", "target", "exclude", "max-disconnects":
				a.planFlags = append(a.planFlags, "-"+f.Name)
			}
		})
		if len(a.planFlags) > 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Can't set planning options with a saved plan",
				Detail:   fmt.Sprintf("A saved plan is applied exactly as it was made, so %v cannot be used with it. Make a new plan with those options instead.", a.planFlags),
			})
		}
	default:
		diags = append(diags, tooManyArgs("apply", fs.Args()[1:], "apply takes at most one argument, a saved plan file"))
	}
	diags = append(diags, a.checkWatch(fs)...)
	if !a.Input && !a.AutoApprove && a.PlanFile == "" && a.Watch == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No confirmation without input",
			Detail:   "apply asks for confirmation before it disconnects anything, and -input=false forbids asking. Add -auto-approve to apply without asking, or apply a saved plan (callctl apply PLANFILE), which needs no confirmation.",
		})
	}
	return a, append(diags, a.check("apply")...)
}

// ConnectOptions are the client settings these flags ask for.
// -max-backoff=0 means never wait out a server-advised back-off; the retry
// layer reads a zero MaxBackoff as its default, so it is passed as
// throttle.NeverWait.
func (o *Operation) ConnectOptions() exchange.Options {
	maxBackoff := o.MaxBackoff
	if maxBackoff == 0 {
		maxBackoff = throttle.NeverWait
	}
	return exchange.Options{Parallelism: o.Parallelism, Timeout: o.Timeout, MaxBackoff: maxBackoff}
}
