package operation

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/internal/atomicfile"
)

// FormatRequest is "callctl fmt": which files to put in canonical form,
// and what to do with those that are not.
type FormatRequest struct {
	// Dir is the policy directory; Paths (files or directories) resolve
	// against it, and files are named relative to it.
	Dir       string
	Paths     []string
	Recursive bool
	// List names each file that needs formatting, Diff shows the change,
	// Write rewrites the file.
	List, Diff, Write bool
}

// FormatView is what Format reports through.
type FormatView interface {
	SourceView
	Diagnostics(hcl.Diagnostics)
	Listed(name string)
	Diff(name string, old, new []byte)
}

// Format formats the request's *.hcl files and returns how many were not
// in canonical form; its diagnostics went to the view. A file that does not
// parse is left alone: rewriting it could lose what the author meant.
func Format(req *FormatRequest, view FormatView) (unformatted int, ok bool) {
	r := &Request{Dir: req.Dir}
	var diags hcl.Diagnostics
	var files []string
	for _, p := range req.Paths {
		found, moreDiags := hclFiles(r.path(p), req.Recursive)
		diags = append(diags, moreDiags...)
		files = append(files, found...)
	}
	sources := map[string]*hcl.File{}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read file", Detail: fmt.Sprintf("Reading %s: %s.", name, err)})
			continue
		}
		sources[name] = &hcl.File{Bytes: src}
		out, moreDiags := config.Format(src, name)
		diags = append(diags, moreDiags...)
		if moreDiags.HasErrors() || bytes.Equal(src, out) {
			continue
		}
		unformatted++
		if req.List {
			view.Listed(req.display(name))
		}
		if req.Diff {
			view.Diff(req.display(name), src, out)
		}
		if req.Write {
			// Atomic: a full disk or a crash leaves the old policy or
			// the new one, never half of one.
			if err := atomicfile.Replace(name, out); err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot write file", Detail: fmt.Sprintf("Writing %s: %s.", name, err)})
			}
		}
	}
	view.SetConfigSources(sources)
	view.Diagnostics(diags)
	return unformatted, !diags.HasErrors()
}

// display shows a path relative to the policy directory, as given.
func (req *FormatRequest) display(name string) string {
	if rel, err := filepath.Rel(req.Dir, name); err == nil && !strings.HasPrefix(rel, "..") {
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
