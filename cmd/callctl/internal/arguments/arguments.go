// Package arguments turns command-line words into data. It does no I/O: each
// Parse function returns a best-effort struct plus diagnostics, so that the
// command can still build its view (and render errors as JSON when asked)
// before it reports a flag error.
package arguments

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/agext/levenshtein"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
)

// ViewType selects how a command renders its output.
type ViewType int

const (
	ViewHuman ViewType = iota
	ViewJSON
)

// Vars are the -var and -var-file flags, kept in command-line order:
// each kind on its own, and both together in Args, where a later option
// wins over an earlier one whichever kind it is.
type Vars struct {
	Vars     []string
	VarFiles []string
	Args     []config.VarArg
}

// repeated collects a repeatable string flag.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// varFlag keeps -var in order, validating the name=value shape early so the
// error names the flag rather than a later config step.
type varFlag struct{ v *Vars }

func (f varFlag) String() string { return "" }
func (f varFlag) Set(s string) error {
	if i := strings.IndexByte(s, '='); i <= 0 {
		return fmt.Errorf("the given -var option %q is not correctly specified; it must be a variable name and value separated by an equals sign, like -var=\"key=value\"", s)
	}
	f.v.Vars = append(f.v.Vars, s)
	f.v.Args = append(f.v.Args, config.VarArg{Value: s})
	return nil
}

type varFileFlag struct{ v *Vars }

func (f varFileFlag) String() string { return "" }
func (f varFileFlag) Set(s string) error {
	f.v.VarFiles = append(f.v.VarFiles, s)
	f.v.Args = append(f.v.Args, config.VarArg{File: true, Value: s})
	return nil
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

func flagError(cmd string, fs *flag.FlagSet, err error) *hcl.Diagnostic {
	detail := capitalize(err.Error()) + "."
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
		switch {
		case name == "chdir":
			detail += fmt.Sprintf(" The -chdir option goes before the command: callctl -chdir=DIR %s.", cmd)
		default:
			best, bestDist := "", 3
			fs.VisitAll(func(f *flag.Flag) {
				if d := levenshtein.Distance(name, f.Name, nil); d < bestDist {
					best, bestDist = f.Name, d
				}
			})
			if best != "" {
				detail += fmt.Sprintf(" Did you mean -%s?", best)
			}
		}
	}
	detail += durationHint(fs, err)
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Failed to parse command-line flags",
		Detail:   fmt.Sprintf("%s Run \"callctl %s -help\" for the flags this command takes.", detail, cmd),
	}
}

func tooManyArgs(cmd string, args []string, want string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Too many command line arguments",
		Detail:   fmt.Sprintf("Unexpected argument %q: %s. Run \"callctl %s -help\" for usage.", args[0], want, cmd),
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// durationHint explains a rejected duration flag: Go's flag package says
// only "parse error", and a bare number such as -timeout=30 is the usual
// cause.
func durationHint(fs *flag.FlagSet, err error) string {
	var value, name string
	if _, scanErr := fmt.Sscanf(err.Error(), "invalid value %q for flag -%s", &value, &name); scanErr != nil {
		return ""
	}
	name = strings.TrimSuffix(name, ":")
	f := fs.Lookup(name)
	if f == nil {
		return ""
	}
	if g, ok := f.Value.(flag.Getter); !ok {
		return ""
	} else if _, isDuration := g.Get().(time.Duration); !isDuration {
		return ""
	}
	if _, numErr := strconv.ParseFloat(value, 64); numErr == nil {
		return fmt.Sprintf(" A duration needs a unit: use a unit, e.g. -%s=%ss (or m, h, ms).", name, value)
	}
	return fmt.Sprintf(" -%s takes a duration with a unit, e.g. 5s, 2m or 1h.", name)
}
