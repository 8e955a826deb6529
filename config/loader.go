package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/callctl/callctl/internal/redact"
)

// LoadOptions carries what the command line and process add to a policy.
type LoadOptions struct {
	// Vars are raw "name=value" strings from -var, in the order given.
	Vars []string
	// VarFiles are -var-file paths in the order given, relative to the
	// working directory (for LoadFS: to the root of the fs.FS), not to the
	// policy directory. Files ending in .json are JSON, others HCL.
	VarFiles []string
	// VarArgs, when set, are the -var and -var-file options in
	// command-line order, so that a later one wins whichever kind it is;
	// Vars and VarFiles are then ignored.
	VarArgs []VarArg
	// Environ is os.Environ()-style "KEY=value" pairs; a later duplicate
	// wins. CALLCTL_VAR_name entries set variables, and env() reads here.
	Environ []string

	// SavedPlan says the policy is loaded to apply a saved plan, which
	// takes no -var or -var-file: hints name only CALLCTL_VAR_name.
	SavedPlan bool

	// Data says whether and how data blocks are read (data.go).
	Data DataOptions
	// PlanTimestamp, when set, is the instant plantimestamp() returns;
	// see PlanTimestampEnv.
	PlanTimestamp time.Time

	// Values set variables above every other source (offline.go): a
	// test file's variables, or the values a saved plan was made with.
	// ValuesFrom names them in diagnostics ("the saved plan").
	Values     map[string]cty.Value
	ValuesFrom string
	// Offline loads a policy to check or exercise it without an
	// exchange (validate, test, console): env() is unknown, since the
	// environment is not the one plan will run in, and a credential
	// without a value is no error.
	Offline bool
	// UnsetUnknown makes a required variable without a value unknown
	// instead of an error, as terraform validate does.
	UnsetUnknown bool
	// KeepScope keeps the policy's evaluation scope in Policy.Scope, for
	// console and test assertions.
	KeepScope bool
	// Secrets are values the policy never sees but must mask wherever it
	// shows text from outside, such as the plan key.
	Secrets []string
}

// VarArg is one -var ("name=value") or -var-file (a path) option.
type VarArg struct {
	File  bool
	Value string
}

// envVarPrefix introduces an environment variable that sets a policy
// variable, as TF_VAR_ does for Terraform.
const envVarPrefix = "CALLCTL_VAR_"

// Loader loads policies. It keeps every file it parsed so that diagnostics
// can be rendered with source snippets; use one Loader per command run.
type Loader struct {
	parser *hclparse.Parser
}

// NewLoader returns a Loader with an empty file cache.
func NewLoader() *Loader {
	return &Loader{parser: hclparse.NewParser()}
}

// Files returns every file parsed so far, policy and variable files alike,
// by the name diagnostics use, for hcl.NewDiagnosticTextWriter.
func (l *Loader) Files() map[string]*hcl.File {
	return l.parser.Files()
}

// Load loads the policy in the directory dir of the operating system's
// file system. It returns a Policy even when there are errors: a
// best-effort one in which every Call names a declared exchange and has a
// call id, so that callers can report more, but must not act on it.
func (l *Loader) Load(dir string, opts LoadOptions) (*Policy, hcl.Diagnostics) {
	return l.load(osFS{}, dir, opts)
}

// LoadFS is Load over an fs.FS, with dir and -var-file paths relative to
// its root. Tests use it with testing/fstest.
func (l *Loader) LoadFS(fsys fs.FS, dir string, opts LoadOptions) (*Policy, hcl.Diagnostics) {
	return l.load(ioFS{fsys}, dir, opts)
}

// loadRun is the state of one Load.
type loadRun struct {
	l       *Loader
	fsys    fileSystem
	dir     string
	opts    LoadOptions
	environ map[string]string

	vars       map[string]*variableDecl
	varVal     cty.Value // the "var" object expressions see
	varsFailed bool      // some variable has no value; unknowns are consequences, not new errors
	funcs      map[string]function.Function
	shared     map[hcl.Expression]*sharedEval // for_each expressions that do not use each

	// fileReads holds what file() read, by the name it was given.
	fileReads map[string][]byte

	// anyMarked says some variable carries the sensitive mark. Marks
	// start only there, so without one no value is marked and eval
	// need not unmark: unmarking rebuilds a value whole, which for a
	// local over a 100,000-record inventory is a copy of every record.
	anyMarked bool
	// sensitiveExprs holds the expressions whose value was marked
	// sensitive before eval unmarked it.
	sensitiveExprs map[hcl.Expression]bool
	// secretVars names the variables an auth block's password or token
	// reads.
	secretVars map[string]bool
	// secretRanges are the literal passwords and tokens in policy files.
	secretRanges []hcl.Range
	// secretEnv names the environment variables an auth block's password
	// or token reads with env(): withheld from inventory commands.
	secretEnv map[string]bool
	// secrets are the secret values met so far (secrets.go).
	secrets redact.Secrets

	// deferred are the end_call blocks whose calls are not known while
	// loading (Policy.Deferred).
	deferred []string

	// protectRanges holds each protect entry's source range, for
	// "Call is protected" diagnostics; Protect itself keeps only DeclRange.
	protectRanges map[*Protect]protectEntryRanges

	// failed are the for_each instances that failed on their own
	// (Policy.Failed).
	failed []*FailedCall
	// localElements are the locals whose for expression was evaluated
	// element by element; claimedLocals those an end_call's for_each
	// named whole, whose failed records fail on their own.
	localElements map[string]*forElements
	claimedLocals map[string]bool

	dataState
}

// blocks are a policy's top-level blocks by type, duplicates removed, in
// file then source order.
type blocks struct {
	variables, exchanges, endCalls, protects []*hcl.Block
	data, locals                             []*hcl.Block
}

var policySchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "exchange", LabelNames: []string{"name"}},
		{Type: "end_call", LabelNames: []string{"name"}},
		{Type: "protect", LabelNames: []string{"name"}},
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "locals"},
	},
}

func (l *Loader) load(fsys fileSystem, dir string, opts LoadOptions) (*Policy, hcl.Diagnostics) {
	ld := &loadRun{l: l, fsys: fsys, dir: dir, opts: opts, environ: parseEnviron(opts.Environ)}
	pol := &Policy{
		Dir:       dir,
		Exchanges: map[string]*Exchange{},
		Variables: map[string]cty.Value{},
		Sensitive: map[string]bool{},
		Sources:   map[string][]byte{},
		Secrets:   &ld.secrets,
	}

	files, diags := ld.readPolicyFiles(pol)
	if len(files) == 0 {
		return pol, capDiags(diags)
	}
	bl, moreDiags := collectBlocks(files)
	diags = append(diags, moreDiags...)

	diags = append(diags, ld.resolveClock(pol)...)
	ld.secrets.Add(opts.Secrets...)
	ld.findSecretVars(bl.exchanges)
	ld.findSecretEnv(bl.exchanges)
	diags = append(diags, ld.decodeVariables(bl.variables, pol)...)
	diags = append(diags, ld.decodeExchanges(bl.exchanges, pol)...)
	diags = append(diags, ld.decodeData(bl.data, pol)...)
	diags = append(diags, ld.decodeLocals(bl.locals)...)
	diags = append(diags, ld.decodeEndCalls(bl.endCalls, pol)...)
	pol.Failed = ld.failed
	diags = append(diags, ld.unclaimedLocalFailures()...)
	diags = append(diags, ld.decodeProtects(bl.protects, pol)...)

	// Cross-block checks run in declaration order so that "first
	// declaration" means the one the reader meets first.
	diags = append(diags, checkDuplicateCalls(pol.Calls)...)
	var protectDiags hcl.Diagnostics
	pol.Calls, pol.Protected, protectDiags = checkProtected(pol.Calls, pol.Protects, ld.protectRanges)
	diags = append(diags, protectDiags...)

	slices.SortStableFunc(pol.Calls, func(a, b *Call) int { return strings.Compare(a.Address, b.Address) })
	if opts.KeepScope {
		pol.Scope = &Scope{ld: ld}
	}
	pol.Deferred = ld.deferred
	// What file() read is part of the policy: a saved plan must go stale
	// when an id list read that way changes.
	for name, data := range ld.fileReads {
		pol.Sources["file("+name+")"] = data
	}
	// A last net under the checks above: no diagnostic shows a secret
	// value the load met, however a message came to quote it.
	return pol, capDiags(ld.secrets.Diagnostics(hideSecretLines(dedupeDiags(diags), ld.secretRanges)))
}

// readPolicyFiles parses the directory's *.hcl files in name order.
func (ld *loadRun) readPolicyFiles(pol *Policy) ([]*hcl.File, hcl.Diagnostics) {
	entries, err := ld.fsys.readDir(ld.dir)
	if err != nil {
		return nil, hcl.Diagnostics{dirError(ld.dir, err)}
	}
	var diags hcl.Diagnostics
	var files []*hcl.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !isPolicyFileName(name) {
			continue
		}
		filename := ld.fsys.join(ld.dir, name)
		src, err := ld.fsys.readFile(filename)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot read policy file",
				Detail:   fmt.Sprintf("The policy file %q cannot be read: %s.", filename, err),
			})
			continue
		}
		pol.Sources[name] = src
		_, f, parseDiags := parseConfig(src, filename)
		diags = append(diags, parseDiags...)
		if f == nil {
			continue
		}
		// AddFile rather than ParseHCL: the parser's cache would hand back
		// a stale file, without its diagnostics, on a second load.
		ld.l.parser.AddFile(filename, f)
		files = append(files, f)
	}
	if len(pol.Sources) == 0 && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No policy files",
			Detail:   fmt.Sprintf("The directory %q contains no .hcl files. A policy is a directory of .hcl files; check the path.", ld.dir),
		})
	}
	return files, diags
}

// isPolicyFileName selects *.hcl, skipping hidden files and editor
// leftovers (".#x.hcl", "#x.hcl#", "x.hcl~") as Terraform does, and test
// files (*.calltest.hcl), which only callctl test reads.
func isPolicyFileName(name string) bool {
	return strings.HasSuffix(name, ".hcl") && !strings.HasSuffix(name, TestFileSuffix) &&
		!strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "#")
}

// TestFileSuffix ends the name of a callctl test file, which is never
// read as policy.
const TestFileSuffix = ".calltest.hcl"

func dirError(dir string, err error) *hcl.Diagnostic {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Policy directory not found",
			Detail:   fmt.Sprintf("The directory %q does not exist. Give the path of the directory holding the policy's .hcl files.", dir),
		}
	default:
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot read policy directory",
			Detail:   fmt.Sprintf("The policy directory %q cannot be read: %s. Give the path of a readable directory holding the policy's .hcl files.", dir, err),
		}
	}
}

// collectBlocks sorts the files' blocks by type, rejecting invalid and
// duplicate names; a rejected block is not decoded further.
func collectBlocks(files []*hcl.File) (blocks, hcl.Diagnostics) {
	var bl blocks
	var diags hcl.Diagnostics
	seen := map[string]*hcl.Block{} // "type name" -> first declaration
	for _, f := range files {
		content, moreDiags := f.Body.Content(policySchema)
		diags = append(diags, moreDiags...)
		for _, b := range content.Blocks {
			switch b.Type { // named differently; checked by decodeData and decodeLocals
			case "data":
				bl.data = append(bl.data, b)
				continue
			case "locals":
				bl.locals = append(bl.locals, b)
				continue
			}
			name := b.Labels[0]
			if !hclsyntax.ValidIdentifier(name) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid block name",
					Detail:   fmt.Sprintf("The %s name %q is not a valid identifier. A name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.", b.Type, name),
					Subject:  b.LabelRanges[0].Ptr(),
				})
				continue
			}
			key := b.Type + " " + name
			if first, dup := seen[key]; dup {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  duplicateSummary[b.Type],
					Detail: fmt.Sprintf("%s named %q was already declared at %s. Names must be unique within a policy; rename or remove one of the blocks.",
						article[b.Type], name, shortRange(first.DefRange)),
					Subject: b.DefRange.Ptr(),
				})
				continue
			}
			seen[key] = b
			switch b.Type {
			case "variable":
				bl.variables = append(bl.variables, b)
			case "exchange":
				bl.exchanges = append(bl.exchanges, b)
			case "end_call":
				bl.endCalls = append(bl.endCalls, b)
			case "protect":
				bl.protects = append(bl.protects, b)
			}
		}
	}
	return bl, diags
}

var article = map[string]string{
	"variable": "A variable",
	"exchange": "An exchange",
	"end_call": "An end_call",
	"protect":  "A protect block",
}

var duplicateSummary = map[string]string{
	"variable": "Duplicate variable declaration",
	"exchange": "Duplicate exchange block",
	"end_call": "Duplicate end_call block",
	"protect":  "Duplicate protect block",
}

// shortRange renders a range as file:line for a Detail sentence.
func shortRange(r hcl.Range) string {
	return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line)
}

// dedupeDiags drops exact repeats, which arise when one faulty expression
// is evaluated once per for_each instance.
func dedupeDiags(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := map[string]bool{}
	out := diags[:0:0]
	for _, d := range diags {
		key := fmt.Sprintf("%d\x00%s\x00%s", d.Severity, d.Summary, d.Detail)
		if d.Subject != nil {
			key += "\x00" + d.Subject.String()
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, d)
	}
	return out
}

func parseEnviron(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// fileSystem is what the loader reads through: the OS for Load, an fs.FS
// for LoadFS. Names are joined with join and passed back verbatim.
type fileSystem interface {
	readDir(dir string) ([]fs.DirEntry, error)
	readFile(name string) ([]byte, error)
	// readRegular is readFile for file(): regular files only, never
	// under /proc, /sys or /dev (regular_file.go).
	readRegular(name string) ([]byte, error)
	stat(name string) (fs.FileInfo, error)
	join(dir, rel string) string
}

// osFS reads the operating system's files; unlike os.DirFS it accepts
// absolute and ../ paths, as a policy's file() and ca_file may use them.
type osFS struct{}

func (osFS) readDir(dir string) ([]fs.DirEntry, error) { return os.ReadDir(dir) }
func (osFS) readFile(name string) ([]byte, error)      { return os.ReadFile(name) }
func (osFS) stat(name string) (fs.FileInfo, error)     { return os.Stat(name) }
func (osFS) join(dir, rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(dir, rel)
}

type ioFS struct{ fsys fs.FS }

func (f ioFS) readDir(dir string) ([]fs.DirEntry, error) { return fs.ReadDir(f.fsys, dir) }
func (f ioFS) readFile(name string) ([]byte, error)      { return fs.ReadFile(f.fsys, name) }
func (f ioFS) stat(name string) (fs.FileInfo, error)     { return fs.Stat(f.fsys, name) }
func (f ioFS) join(dir, rel string) string {
	if path.IsAbs(rel) {
		return rel // fs.FS rejects it with a clear error
	}
	return path.Join(dir, rel)
}
