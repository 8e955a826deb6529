package config

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/callctl/callctl/inventory"
)

// DataMode says whether Load reads data sources.
type DataMode int

const (
	// DataRead reads every data source: what plan does.
	DataRead DataMode = iota
	// DataSkip reads none (no files, no commands): what validate does.
	// Records are unknown, so expressions over them are checked for
	// references where possible but yield no calls.
	DataSkip
)

// DataOptions control how data blocks are read.
type DataOptions struct {
	Mode DataMode
	// Snapshots supply records by data source address
	// ("data.inventory.NAME") as JSON lines, in place of reading the
	// source: a saved plan passes back each DataSource.Snapshot so that
	// apply sees exactly the records the plan was made from.
	Snapshots map[string][]byte
	// Limits bound each inventory; zero means inventory.DefaultLimits.
	Limits inventory.Limits
	// Context bounds commands; nil means context.Background().
	Context context.Context
	// NoCommands refuses to run a data source's command (callctl test,
	// which has no side effects): such a source needs a snapshot.
	NoCommands bool
	// NoSnapshots is for a caller that will not save a plan: data
	// sources keep no Snapshot, and the records copy their strings out
	// of what was read, so that the input (17 MB at 100,000 records) is
	// freed once decoded instead of living as long as the policy.
	NoSnapshots bool
}

// DataSource is one `data "inventory" "NAME"` block and what reading it
// produced, for the plan's per-data-source message and for saved plans.
type DataSource struct {
	Address string // data.inventory.NAME
	Type    string // "inventory"
	Name    string
	Source  string // the file name or command line, as written
	Command bool   // Source is a command line, not a file
	Read    bool   // false when DataSkip left it unread
	// FromSnapshot says the records came from DataOptions.Snapshots.
	FromSnapshot bool
	Records      int
	Duration     time.Duration
	// Snapshot is the records as JSON lines; a saved plan stores it and
	// passes it back through DataOptions.Snapshots. It is not among
	// Policy.Sources: an inventory that moves on does not make a saved
	// plan stale. It is read-only: the records' strings point into it.
	// It is nil under DataOptions.NoSnapshots.
	Snapshot  []byte
	DeclRange hcl.Range
}

// defaultCommandTimeout is how long a command may take without a timeout
// argument.
const defaultCommandTimeout = 30 * time.Second

var dataInventorySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "file"},
		{Name: "command"},
		{Name: "format"},
		{Name: "timeout"},
		{Name: "env"},
	},
}

// decodeData reads the data blocks and builds the data object. A block's
// arguments may use variables and functions, not locals or other data
// sources, so data is always read before locals are evaluated.
func (ld *loadRun) decodeData(blocks []*hcl.Block, pol *Policy) hcl.Diagnostics {
	var diags hcl.Diagnostics
	byType := map[string]map[string]cty.Value{}
	seen := map[string]*hcl.Block{}
	ld.dataNames = map[string]map[string]bool{}
	for _, b := range blocks {
		typ, name := b.Labels[0], b.Labels[1]
		if typ != "inventory" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown data source type",
				Detail:   fmt.Sprintf("There is no data source type %q. The only type is \"inventory\", which reads call records from a file or a command.%s", typ, didYouMean(typ, []string{"inventory"})),
				Subject:  b.LabelRanges[0].Ptr(),
			})
			continue
		}
		if !hclsyntax.ValidIdentifier(name) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid block name",
				Detail:   fmt.Sprintf("The data source name %q is not a valid identifier. A name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.", name),
				Subject:  b.LabelRanges[1].Ptr(),
			})
			continue
		}
		addr := "data." + typ + "." + name
		if first, dup := seen[addr]; dup {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate data block",
				Detail:   fmt.Sprintf("A data block %q was already declared at %s. Names must be unique within a policy; rename or remove one of the blocks.", addr, shortRange(first.DefRange)),
				Subject:  b.DefRange.Ptr(),
			})
			continue
		}
		seen[addr] = b
		if ld.dataNames[typ] == nil {
			ld.dataNames[typ] = map[string]bool{}
			byType[typ] = map[string]cty.Value{}
		}
		ld.dataNames[typ][name] = true
		ds, records, moreDiags := ld.readInventory(b, addr)
		diags = append(diags, moreDiags...)
		byType[typ][name] = cty.ObjectVal(map[string]cty.Value{"records": records})
		pol.DataSources = append(pol.DataSources, ds)
		if ld.dataByAddr == nil {
			ld.dataByAddr = map[string]*DataSource{}
		}
		ld.dataByAddr[ds.Address] = ds
	}
	obj := map[string]cty.Value{}
	for typ, m := range byType {
		obj[typ] = cty.ObjectVal(m)
	}
	ld.dataVal = cty.ObjectVal(obj)
	return diags
}

// unknownRecords stands for records not read: under DataSkip, or after
// an error (which was reported; expressions over it are then skipped).
var unknownRecords = cty.UnknownVal(cty.List(cty.DynamicPseudoType))

// inventorySource is a data block's decoded arguments.
type inventorySource struct {
	file    string
	argv    []string
	format  inventory.Format
	timeout time.Duration
	env     []string       // names of environment variables passed to the command
	attr    *hcl.Attribute // file or command, for diagnostics
}

func (ld *loadRun) readInventory(b *hcl.Block, addr string) (*DataSource, cty.Value, hcl.Diagnostics) {
	ds := &DataSource{Address: addr, Type: b.Labels[0], Name: b.Labels[1], DeclRange: b.DefRange}
	src, diags := ld.decodeInventorySource(b, addr)
	if diags.HasErrors() || src == nil {
		ld.dataUnknown = true
		return ds, unknownRecords, diags
	}
	ds.Source = src.file
	if src.argv != nil {
		ds.Source = strings.Join(src.argv, " ")
		ds.Command = true
	}

	if snap, ok := ld.opts.Data.Snapshots[addr]; ok {
		ds.Read, ds.FromSnapshot = true, true
		return ld.finishInventory(ds, snap, inventory.JSONLines, "the saved plan's records of "+addr, time.Now(), src.attr, diags)
	}
	if ld.opts.Data.Mode == DataSkip {
		ld.dataUnknown = true
		return ds, unknownRecords, diags
	}
	if src.argv != nil && ld.opts.Data.NoCommands {
		ld.dataUnknown = true
		return ds, unknownRecords, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Data source command not run",
			Detail:   fmt.Sprintf("%s reads the output of a command, and callctl test runs no command: a test must not depend on the world. Give its records in a mock_data %q %q block.", addr, ds.Type, ds.Name),
			Subject:  src.attr.Range.Ptr(),
		})
	}
	ds.Read = true
	start := time.Now()
	var data []byte
	var moreDiags hcl.Diagnostics
	if src.argv == nil {
		data, moreDiags = ld.readInventoryFile(ds, src.attr)
	} else {
		data, moreDiags = ld.runInventoryCommand(ds, src)
	}
	diags = append(diags, moreDiags...)
	if moreDiags.HasErrors() {
		ld.dataUnknown = true
		return ds, unknownRecords, diags
	}
	return ld.finishInventory(ds, data, src.format, ds.Source, start, src.attr, diags)
}

// decodeInventorySource decodes a data "inventory" block's arguments. It
// returns nil when they are unusable.
func (ld *loadRun) decodeInventorySource(b *hcl.Block, addr string) (*inventorySource, hcl.Diagnostics) {
	content, diags := b.Body.Content(dataInventorySchema)
	attrs := content.Attributes
	for _, attr := range attrs {
		diags = append(diags, checkDataArgRefs(attr)...)
	}
	// The file name or command line is printed by plan, in diagnostics and
	// in -json, and kept in saved plans: a secret must not feed it (give
	// the command its secrets through the environment instead).
	for _, name := range []string{"file", "command"} {
		if attr, ok := attrs[name]; ok {
			diags = append(diags, ld.checkNotSensitive(attr)...)
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	src := &inventorySource{format: inventory.JSONLines, timeout: defaultCommandTimeout}
	fileAttr, hasFile := attrs["file"]
	cmdAttr, hasCmd := attrs["command"]
	switch {
	case hasFile && hasCmd:
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Conflicting inventory sources",
			Detail:   fmt.Sprintf("%s sets both file and command. Set one of them.", addr),
			Subject:  cmdAttr.NameRange.Ptr(),
		})
	case !hasFile && !hasCmd:
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing inventory source",
			Detail:   fmt.Sprintf("%s needs a file argument (a path relative to the policy directory) or a command argument (a list: the program and its arguments).", addr),
			Subject:  b.DefRange.Ptr(),
		})
	case hasFile:
		src.attr = fileAttr
		s, ok, moreDiags := ld.evalString(fileAttr, nil)
		diags = append(diags, moreDiags...)
		if !ok {
			return nil, diags
		}
		src.file = s
		src.format = inventory.FormatForName(s)
	default:
		src.attr = cmdAttr
		argv, _, ok, moreDiags := ld.evalStringList(cmdAttr, nil)
		diags = append(diags, moreDiags...)
		if !ok {
			return nil, diags
		}
		if len(argv) == 0 || argv[0] == "" {
			return nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Empty command",
				Detail:   fmt.Sprintf("The command of %s is empty. Give the program and its arguments as a list, such as [\"./list-calls\", \"--since=2h\"].", addr),
				Subject:  cmdAttr.Expr.Range().Ptr(),
			})
		}
		src.argv = argv
	}

	if attr, ok := attrs["format"]; ok {
		s, ok, moreDiags := ld.evalString(attr, nil)
		diags = append(diags, moreDiags...)
		switch {
		case !ok:
		case !slices.Contains(inventory.Formats, inventory.Format(s)):
			quoted, hint := fmt.Sprintf("%q", s), didYouMean(s, []string{"jsonl", "json", "csv"})
			if ld.isSensitive(attr) {
				quoted, hint = "The value, derived from a sensitive variable,", ""
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid inventory format",
				Detail:   fmt.Sprintf("%s is not an inventory format. Use \"jsonl\" (one JSON object per line), \"json\" (an array of objects) or \"csv\" (with a header row).%s", quoted, hint),
				Subject:  attr.Expr.Range().Ptr(),
			})
		default:
			src.format = inventory.Format(s)
		}
	}
	if attr, ok := attrs["timeout"]; ok {
		s, ok, moreDiags := ld.evalString(attr, nil)
		diags = append(diags, moreDiags...)
		d, err := time.ParseDuration(s)
		switch {
		case !ok:
		case !hasCmd:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Timeout without a command",
				Detail:   fmt.Sprintf("%s sets timeout, which applies only to a command. Remove it.", addr),
				Subject:  attr.NameRange.Ptr(),
			})
		case err != nil || d <= 0:
			quoted := fmt.Sprintf("%q", s)
			if ld.isSensitive(attr) {
				quoted = "The value, derived from a sensitive variable,"
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid timeout",
				Detail:   fmt.Sprintf("%s is not a positive duration. Write it like \"30s\" or \"2m\".", quoted),
				Subject:  attr.Expr.Range().Ptr(),
			})
		default:
			src.timeout = d
		}
	}
	if attr, ok := attrs["env"]; ok {
		if !hasCmd {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Environment without a command",
				Detail:   fmt.Sprintf("%s sets env, which names environment variables for a command. Remove it.", addr),
				Subject:  attr.NameRange.Ptr(),
			})
		} else {
			names, rngs, ok, moreDiags := ld.evalStringList(attr, nil)
			diags = append(diags, moreDiags...)
			if ok {
				diags = append(diags, ld.checkCommandEnv(addr, names, rngs, attr)...)
				src.env = names
			}
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return src, diags
}

// finishInventory parses what was read and records the data source's
// figures and snapshot.
func (ld *loadRun) finishInventory(ds *DataSource, data []byte, format inventory.Format, source string, start time.Time, srcAttr *hcl.Attribute, diags hcl.Diagnostics) (*DataSource, cty.Value, hcl.Diagnostics) {
	var val cty.Value
	var err error
	if format == inventory.JSONLines {
		// Decoded straight into cty values; the input is already JSON
		// lines, so it is the snapshot rather than a copy. Data read here
		// is ours and never changes, so the records' strings may point
		// into it; a saved plan's snapshot belongs to the caller.
		decode := inventory.ValueJSONLinesInPlace
		if ds.FromSnapshot || ld.opts.Data.NoSnapshots {
			decode = inventory.ValueJSONLines
		}
		val, ds.Records, err = decode(data, source, ld.limits())
		if !ld.opts.Data.NoSnapshots {
			ds.Snapshot = data
		}
	} else {
		var recs []inventory.Record
		recs, err = inventory.Parse(data, format, source, ld.limits())
		if err == nil {
			ds.Records = len(recs)
			if !ld.opts.Data.NoSnapshots {
				ds.Snapshot = jsonLines(recs)
			}
			val = inventory.Value(recs) // consumes recs
		}
	}
	if err != nil {
		ld.dataUnknown = true
		ds.Records, ds.Snapshot = 0, nil
		return ds, unknownRecords, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid inventory",
			Detail:   fmt.Sprintf("%s: %s. Fix the inventory; nothing is planned or disconnected until it reads cleanly.", ds.Address, err),
			Subject:  srcAttr.Expr.Range().Ptr(),
		})
	}
	ds.Duration = time.Since(start)
	return ds, val, diags
}

func (ld *loadRun) limits() inventory.Limits {
	if l := ld.opts.Data.Limits; l != (inventory.Limits{}) {
		return l
	}
	return inventory.DefaultLimits
}

// jsonLines encodes records one JSON object per line. encoding/json
// writes a json.Number's digits as they were, so nothing is rounded.
func jsonLines(recs []inventory.Record) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		_ = enc.Encode(r) // cannot fail: decoded JSON or strings
	}
	return b.Bytes()
}

// readInventoryFile reads an inventory file, which must lie inside the
// policy directory: a reviewed policy must not read whatever a path or a
// symbolic link points at elsewhere.
func (ld *loadRun) readInventoryFile(ds *DataSource, attr *hcl.Attribute) ([]byte, hcl.Diagnostics) {
	fail := func(summary, detail string) ([]byte, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: attr.Expr.Range().Ptr()}}
	}
	rel := ds.Source
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return fail("Inventory outside the policy directory",
			fmt.Sprintf("The file %q of %s is not inside the policy directory. Give a path relative to the policy directory that does not leave it (no leading / and no ..); copy the export into the directory if it lives elsewhere.", rel, ds.Address))
	}
	name := ld.fsys.join(ld.dir, rel)
	if _, isOS := ld.fsys.(osFS); isOS {
		real, err1 := filepath.EvalSymlinks(name)
		root, err2 := filepath.EvalSymlinks(ld.dir)
		if err1 == nil && err2 == nil {
			if r, err := filepath.Rel(root, real); err != nil || !filepath.IsLocal(r) {
				return fail("Inventory outside the policy directory",
					fmt.Sprintf("The file %q of %s is a symbolic link to %q, outside the policy directory. Copy the export into the policy directory instead of linking to it.", rel, ds.Address, real))
			}
		}
	}
	lim := ld.limits()
	if fi, err := ld.fsys.stat(name); err == nil && fi.Size() > lim.MaxBytes {
		return fail("Inventory too large",
			fmt.Sprintf("The file %q of %s holds %d bytes, more than the %d an inventory may hold. Filter the export before callctl reads it.", rel, ds.Address, fi.Size(), lim.MaxBytes))
	}
	// Regular files only, checked without blocking: a named pipe would
	// hang the plan until something writes to it, a device never end.
	data, err := ld.fsys.readRegular(name)
	if errors.Is(err, errNotRegular) {
		return fail("Inventory is not a regular file",
			fmt.Sprintf("The file %q of %s cannot be an inventory: %s. Write the export to a regular file in the policy directory, or read it with command = [...].",
				rel, ds.Address, strings.TrimPrefix(err.Error(), errNotRegular.Error()+": ")))
	}
	if err != nil {
		return fail("Cannot read inventory",
			fmt.Sprintf("The file %q of %s cannot be read: %s. Paths are relative to the policy directory.", rel, ds.Address, err))
	}
	return data, nil
}

func (ld *loadRun) runInventoryCommand(ds *DataSource, src *inventorySource) ([]byte, hcl.Diagnostics) {
	fail := func(summary, detail string) ([]byte, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: src.attr.Expr.Range().Ptr()}}
	}
	if _, isOS := ld.fsys.(osFS); !isOS {
		return fail("Cannot run inventory command",
			fmt.Sprintf("%s runs a command, which needs a policy on the operating system's file system.", ds.Address))
	}
	ctx := ld.opts.Data.Context
	if ctx == nil {
		ctx = context.Background()
	}
	out, err := inventory.Command{
		Argv: src.argv, Dir: ld.dir, Env: ld.commandEnviron(src.env), Timeout: src.timeout, Limits: ld.limits(),
		Secrets: &ld.secrets,
	}.Output(ctx)
	if err != nil {
		return fail("Inventory command failed",
			fmt.Sprintf("%s: %s\n\nThe command runs in the policy directory, without a shell; nothing is planned or disconnected until it succeeds.", ds.Address, err))
	}
	return out, nil
}

// checkDataArgRefs allows a data block's arguments variables only: data
// sources are read before locals exist.
func checkDataArgRefs(attr *hcl.Attribute) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tr := range attr.Expr.Variables() {
		if root := tr.RootName(); root == "data" || root == "local" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid reference in data block",
				Detail:   fmt.Sprintf("A data block's arguments can refer to variables (var.NAME) but not to %s values, which are computed after data sources are read.", root),
				Subject:  tr.SourceRange().Ptr(),
			})
		}
	}
	return diags
}

// checkDataRef reports a reference to an undeclared data source, or one
// that does not go on to .records.
func (ld *loadRun) checkDataRef(tr hcl.Traversal) hcl.Diagnostics {
	rng := tr.SourceRange().Ptr()
	invalid := func(summary, detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng}}
	}
	var parts []string
	for _, step := range tr[1:] {
		a, ok := step.(hcl.TraverseAttr)
		if !ok || len(parts) == 3 {
			break
		}
		parts = append(parts, a.Name)
	}
	if len(parts) < 2 {
		return invalid("Invalid data source reference", `A reference to a data source is data.TYPE.NAME followed by an attribute, such as data.inventory.dialer.records.`)
	}
	typ, name := parts[0], parts[1]
	if !ld.dataNames[typ][name] {
		return invalid("Reference to undeclared data source",
			fmt.Sprintf("No data block \"%s\" %q is declared in this policy. Declare it, or correct the name.%s", typ, name, didYouMean(name, mapKeys(ld.dataNames[typ]))))
	}
	if len(parts) == 3 && parts[2] != "records" {
		return invalid("Unsupported attribute",
			fmt.Sprintf("An inventory has only the attribute \"records\", the list of its records.%s", didYouMean(parts[2], []string{"records"})))
	}
	return nil
}

// dataState is a load's data sources, locals and clock, embedded in
// loadRun.
type dataState struct {
	dataNames   map[string]map[string]bool // declared data sources by type and name
	dataVal     cty.Value                  // the "data" object
	dataUnknown bool                       // some records are unknown: skipped, or failed and reported
	dataByAddr  map[string]*DataSource     // by address, to name a record in a diagnostic

	locals    map[string]*localDecl
	localVals map[string]cty.Value
	localVal  cty.Value // the "local" object, built from localVals on use
	// localScope, while a local value is evaluated, is the "local"
	// object it sees: only the locals it refers to, so that evaluating n
	// locals costs O(n), not n objects of n attributes each.
	localScope cty.Value
	// localsFailed: some local is unknown because of a reported error.
	localsFailed bool

	now      func() time.Time // the clock timestamp() reads
	planTime time.Time        // what plantimestamp() returns
}
