package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	viewsjson "github.com/callctl/callctl/cmd/callctl/internal/views/json"
)

// readmeSection returns the README's text from the heading to the next
// heading of the same or a higher level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("README has no %q", heading)
	}
	s = s[i+len(heading)+2:]
	level := len(strings.Fields(heading)[0])
	next := regexp.MustCompile(`(?m)^#{1,` + strconv.Itoa(level) + `} `)
	if loc := next.FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	return s
}

// TestReadmeMessageTypes holds the README's table of JSON messages to the
// message types the views emit: every type is documented, no other is.
func TestReadmeMessageTypes(t *testing.T) {
	sec := readmeSection(t, "### Machine-readable output")
	var got []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(sec, -1) {
		got = append(got, m[1])
	}
	want := messageTypes(t)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("README message types %v, views/json has %v", got, want)
	}
	if !strings.Contains(sec, "(the message format version, `"+viewsjson.UIVersion+"`)") {
		t.Errorf("README does not give the UI version %s", viewsjson.UIVersion)
	}
}

// TestReadmeLayout holds the README's layout table to the packages in the
// module: each is named, itself or through its parent.
func TestReadmeLayout(t *testing.T) {
	sec := readmeSection(t, "## Layout")
	named := map[string]bool{}
	missing := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z/]+)`").FindAllStringSubmatch(sec, -1) {
		named[m[1]] = true
	}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != "../..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		dir, _ := filepath.Rel("../..", filepath.Dir(path))
		dir = filepath.ToSlash(dir)
		if dir == "." || strings.HasPrefix(dir, "examples") {
			return nil
		}
		for p := dir; p != "."; p = filepath.ToSlash(filepath.Dir(p)) {
			if named[p] {
				return nil
			}
		}
		if !missing[dir] {
			missing[dir] = true
			t.Errorf("README's layout does not name package %s", dir)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// messageTypes reads the values of every MessageType constant from
// views/json/message_types.go, where the rule is that all of them live.
func messageTypes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "internal/views/json/message_types.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "MessageType" {
				continue
			}
			for _, val := range v.Values {
				s, err := strconv.Unquote(val.(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				types = append(types, s)
			}
		}
	}
	if len(types) == 0 {
		t.Fatal("no MessageType constants found")
	}
	return types
}
