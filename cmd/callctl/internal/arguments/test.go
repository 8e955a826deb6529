package arguments

import "github.com/hashicorp/hcl/v2"

// Test is the parsed form of "callctl test".
type Test struct {
	Filters  []string // test files to run, as callctl test prints them
	Verbose  bool     // print each run's plan
	NoColor  bool
	ViewType ViewType
}

// ParseTest parses test's flags.
func ParseTest(args []string) (*Test, hcl.Diagnostics) {
	t := &Test{}
	fs := newFlagSet("test")
	fs.Var((*repeated)(&t.Filters), "filter", "run only this test file (repeatable)")
	fs.BoolVar(&t.Verbose, "verbose", false, "print each run's plan")
	fs.BoolVar(&t.NoColor, "no-color", false, "disable colour")
	fs.BoolFunc("json", "machine-readable output", func(string) error { t.ViewType = ViewJSON; return nil })
	neverPrompts(fs)
	var diags hcl.Diagnostics
	if err := fs.Parse(args); err != nil {
		return t, append(diags, flagError("test", fs, err))
	}
	if fs.NArg() > 0 {
		diags = append(diags, tooManyArgs("test", fs.Args(), "test runs the test files of the policy in the current directory (see -chdir and -filter)"))
	}
	return t, diags
}
