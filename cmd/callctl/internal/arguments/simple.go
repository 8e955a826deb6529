package arguments

import (
	"flag"
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// Validate is the parsed form of "callctl validate".
type Validate struct {
	Vars
	NoColor  bool
	ViewType ViewType
}

// ParseValidate parses validate's flags.
func ParseValidate(args []string) (*Validate, hcl.Diagnostics) {
	v := &Validate{}
	fs := newFlagSet("validate")
	fs.Var(varFlag{&v.Vars}, "var", "set a variable")
	fs.Var(varFileFlag{&v.Vars}, "var-file", "load variables from a file")
	fs.BoolVar(&v.NoColor, "no-color", false, "disable colour")
	fs.BoolFunc("json", "machine-readable output", func(string) error { v.ViewType = ViewJSON; return nil })
	neverPrompts(fs)
	var diags hcl.Diagnostics
	if err := fs.Parse(args); err != nil {
		return v, append(diags, flagError("validate", fs, err))
	}
	if fs.NArg() > 0 {
		diags = append(diags, tooManyArgs("validate", fs.Args(), "validate reads the policy in the current directory (see -chdir)"))
	}
	return v, diags
}

// Fmt is the parsed form of "callctl fmt [PATH...]".
type Fmt struct {
	Paths     []string // default: the current directory
	Check     bool
	Diff      bool
	Recursive bool
	List      bool
	Write     bool
	NoColor   bool
}

// ParseFmt parses fmt's flags.
func ParseFmt(args []string) (*Fmt, hcl.Diagnostics) {
	f := &Fmt{}
	fs := newFlagSet("fmt")
	fs.BoolVar(&f.Check, "check", false, "exit 3 when any file is not formatted; write nothing")
	fs.BoolVar(&f.Diff, "diff", false, "show the changes")
	fs.BoolVar(&f.Recursive, "recursive", false, "also format subdirectories")
	fs.BoolVar(&f.List, "list", true, "list files whose formatting changed")
	fs.BoolVar(&f.Write, "write", true, "write the result to the source file")
	fs.BoolVar(&f.NoColor, "no-color", false, "disable colour")
	neverPrompts(fs)
	var diags hcl.Diagnostics
	if err := fs.Parse(args); err != nil {
		return f, append(diags, flagError("fmt", fs, err))
	}
	f.Paths = fs.Args()
	if len(f.Paths) == 0 {
		f.Paths = []string{"."}
	}
	if len(f.Paths) > 1 && slices.Contains(f.Paths, "-") {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Standard input with other paths",
			Detail:   "fmt - formats standard input to standard output, and takes no other path. Run it on its own.",
		})
	}
	if f.Check {
		f.Write = false
	}
	return f, diags
}

// Show is the parsed form of "callctl show PLANFILE" and
// "callctl show -journal [FILE]".
type Show struct {
	Path     string
	Journal  bool // Path (default: the policy's journal) is a journal
	ViewType ViewType
	Format   string // "", "markdown"
	NoColor  bool
}

// ParseShow parses show's flags.
func ParseShow(args []string) (*Show, hcl.Diagnostics) {
	s := &Show{}
	fs := newFlagSet("show")
	fs.BoolFunc("json", "print the plan as JSON", func(string) error { s.ViewType = ViewJSON; return nil })
	fs.StringVar(&s.Format, "format", "", "output format: markdown")
	fs.BoolVar(&s.NoColor, "no-color", false, "disable colour")
	fs.BoolVar(&s.Journal, "journal", false, "show the apply journal")
	neverPrompts(fs)
	var diags hcl.Diagnostics
	if err := fs.Parse(args); err != nil {
		return s, append(diags, flagError("show", fs, err))
	}
	switch fs.NArg() {
	case 1:
		s.Path = fs.Arg(0)
	case 0:
		if s.Journal {
			break
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No plan file given",
			Detail:   "Usage: callctl show [-json | -format=markdown] PLANFILE, or callctl show -journal [FILE]. Make a plan file with \"callctl plan -out=PLANFILE\".",
		})
	default:
		diags = append(diags, tooManyArgs("show", fs.Args()[1:], "show takes one plan file"))
	}
	// Flags that cannot be honoured together are refused, not ignored.
	switch {
	case s.Format != "" && s.ViewType == ViewJSON:
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Conflicting output formats",
			Detail:   "The -json and -format flags each choose how show prints, so only one can be given: -json for a JSON document, -format=markdown for a pull-request comment.",
		})
	case s.Format != "" && s.Journal:
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unsupported output format for the journal",
			Detail:   "show -journal prints a table, or a JSON document with -json; -format=" + s.Format + " applies only to a plan file.",
		})
	}
	if s.Format != "" && s.Format != "markdown" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown output format",
			Detail:   "The -format flag accepts only \"markdown\", but " + `"` + s.Format + `"` + " was given.",
		})
	}
	return s, diags
}

// Version is the parsed form of "callctl version [-json]".
type Version struct{ JSON bool }

// ParseVersion parses version's flags.
func ParseVersion(args []string) (*Version, hcl.Diagnostics) {
	v := &Version{}
	fs := newFlagSet("version")
	fs.BoolVar(&v.JSON, "json", false, "print a JSON document")
	neverPrompts(fs)
	fs.Bool("no-color", false, "accepted for CALLCTL_CLI_ARGS; version has no colour")
	var diags hcl.Diagnostics
	if err := fs.Parse(args); err != nil {
		return v, append(diags, flagError("version", fs, err))
	}
	if fs.NArg() > 0 {
		diags = append(diags, tooManyArgs("version", fs.Args(), "version takes no arguments"))
	}
	return v, diags
}

// neverPrompts accepts -input on a command that never prompts, so that
// CALLCTL_CLI_ARGS="-input=false", which every command gets, breaks none.
func neverPrompts(fs *flag.FlagSet) {
	fs.Bool("input", true, "accepted for CALLCTL_CLI_ARGS; this command never prompts")
}
