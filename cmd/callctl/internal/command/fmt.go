package command

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/internal/atomicfile"
)

// FmtCommand is "callctl fmt".
type FmtCommand struct{ *Meta }

// Run runs fmt.
func (c *FmtCommand) Run(rawArgs []string) int {
	args, diags := arguments.ParseFmt(rawArgs)
	view := views.NewFmt(views.NewView(c.Streams, args.NoColor))
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return ExitError
	}
	var files []string
	for _, p := range args.Paths {
		found, moreDiags := hclFiles(c.path(p), args.Recursive)
		diags = append(diags, moreDiags...)
		files = append(files, found...)
	}
	sources := map[string]*hcl.File{}
	unformatted := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read file", Detail: fmt.Sprintf("Reading %s: %s.", name, err)})
			continue
		}
		sources[name] = &hcl.File{Bytes: src}
		// Format refuses a file that does not parse: rewriting it could
		// lose what the author meant.
		out, moreDiags := config.Format(src, name)
		diags = append(diags, moreDiags...)
		if moreDiags.HasErrors() || bytes.Equal(src, out) {
			continue
		}
		unformatted++
		if args.List {
			view.Listed(c.display(name))
		}
		if args.Diff {
			view.Diff(c.display(name), src, out)
		}
		if args.Write {
			// Atomic: a full disk or a crash leaves the old policy or
			// the new one, never half of one.
			if err := atomicfile.Replace(name, out); err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot write file", Detail: fmt.Sprintf("Writing %s: %s.", name, err)})
			}
		}
	}
	view.SetConfigSources(sources)
	view.Diagnostics(diags)
	switch {
	case diags.HasErrors():
		return ExitError
	case args.Check && unformatted > 0:
		return ExitUnformatted
	}
	return ExitOK
}

// display shows a path relative to the policy directory, as given.
func (c *FmtCommand) display(name string) string {
	if rel, err := filepath.Rel(c.Dir, name); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return name
}

// hclFiles lists the *.hcl files at path: the file itself, or those in the
// directory (and below it with recursive).
func hclFiles(path string, recursive bool) ([]string, hcl.Diagnostics) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No such file or directory", Detail: fmt.Sprintf("callctl fmt cannot read %s: %s.", path, err)}}
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && (!recursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".hcl") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return out, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot list directory", Detail: fmt.Sprintf("callctl fmt cannot list %s: %s.", path, err)}}
	}
	return out, nil
}
