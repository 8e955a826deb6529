package arguments

import "github.com/hashicorp/hcl/v2"

// Console is the parsed form of "callctl console".
type Console struct {
	Vars
	NoColor bool
}

// ParseConsole parses console's flags.
func ParseConsole(args []string) (*Console, hcl.Diagnostics) {
	c := &Console{}
	fs := newFlagSet("console")
	fs.Var(varFlag{&c.Vars}, "var", "set a variable")
	fs.Var(varFileFlag{&c.Vars}, "var-file", "load variables from a file")
	fs.BoolVar(&c.NoColor, "no-color", false, "disable colour")
	neverPrompts(fs)
	var diags hcl.Diagnostics
	if err := fs.Parse(args); err != nil {
		return c, append(diags, flagError("console", fs, err))
	}
	if fs.NArg() > 0 {
		diags = append(diags, tooManyArgs("console", fs.Args(), "console reads expressions from its input, one per line"))
	}
	return c, diags
}
