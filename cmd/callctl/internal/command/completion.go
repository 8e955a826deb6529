package command

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/cmd/callctl/internal/views"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/policytest"
)

// Shell completion speaks the protocol of bash's "complete -C callctl
// callctl" (zsh's bashcompinit and fish can drive it too): the shell runs
// callctl with COMP_LINE, the command line, and COMP_POINT, the cursor's
// byte offset, and reads one candidate per line. It is the protocol
// github.com/posener/complete implements; callctl answers it itself
// because that library cannot complete after a global option (-chdir)
// and exits the process from inside.

// valueKind says what a flag's value is, for completing it.
type valueKind int

const (
	noValue valueKind = iota // a boolean flag
	anyValue
	addressValue  // a call or block address of the policy
	fileValue     // a path, relative to the policy directory
	dirValue      // a directory
	testFileValue // a test file of the policy
)

var (
	operationFlags = map[string]valueKind{
		"var": anyValue, "var-file": fileValue, "parallelism": anyValue, "target": addressValue,
		"exclude": addressValue, "max-disconnects": anyValue, "no-color": noValue, "timeout": anyValue,
		"deadline": anyValue, "max-backoff": anyValue, "not-found": anyValue, "json": noValue,
		"input": anyValue, "compact-warnings": noValue,
	}
	commandFlags = map[string]map[string]valueKind{
		"plan": with(operationFlags, map[string]valueKind{"out": fileValue, "detailed-exitcode": noValue}),
		"apply": with(operationFlags, map[string]valueKind{
			"auto-approve": noValue, "lock-timeout": anyValue, "journal": fileValue, "watch": anyValue,
			"metrics-addr": anyValue, "metrics-web-config": fileValue, "state-dir": dirValue,
		}),
		"validate": {"var": anyValue, "var-file": fileValue, "no-color": noValue, "json": noValue, "input": anyValue},
		"fmt":      {"check": noValue, "diff": noValue, "recursive": noValue, "list": anyValue, "write": anyValue, "no-color": noValue, "input": anyValue},
		"show":     {"json": noValue, "format": anyValue, "no-color": noValue, "journal": noValue, "input": anyValue},
		"test":     {"filter": testFileValue, "verbose": noValue, "no-color": noValue, "json": noValue, "input": anyValue},
		"console":  {"var": anyValue, "var-file": fileValue, "no-color": noValue, "input": anyValue},
		"version":  {"json": noValue, "input": anyValue, "no-color": noValue},
		"help":     {},
	}
	// fixedValues are the values some flags take.
	fixedValues = map[string][]string{
		"not-found": {"warn", "error"}, "format": {"markdown"}, "input": {"true", "false"},
		"list": {"true", "false"}, "write": {"true", "false"},
	}
	globalFlags = []string{"-chdir=", "-help", "-version"}
)

func with(a, b map[string]valueKind) map[string]valueKind {
	out := map[string]valueKind{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// completionRequest returns the command line up to the cursor when the
// shell asks callctl to complete it.
func completionRequest(s *views.Streams) (string, bool) {
	line := s.Getenv("COMP_LINE")
	if line == "" {
		return "", false
	}
	if p, err := strconv.Atoi(s.Getenv("COMP_POINT")); err == nil && p >= 0 && p < len(line) {
		line = line[:p]
	}
	return line, true
}

// complete prints the candidates for the last word of line.
func complete(s *views.Streams, line string) int {
	for _, c := range completions(line, s.Environ) {
		_, _ = s.Out.Write([]byte(c + "\n"))
	}
	return ExitOK
}

// completions lists the candidates for the word being typed at the end
// of line, sorted.
func completions(line string, environ []string) []string {
	words := lenientWords(line)
	if len(words) == 0 {
		return nil
	}
	words = words[1:] // the program
	dir, cmd := ".", ""
	i := 0
	for ; i < len(words)-1; i++ {
		w := words[i]
		if d, ok := strings.CutPrefix(w, "-chdir="); ok {
			dir = d
			continue
		}
		if w == "-chdir" && i+1 < len(words)-1 {
			dir = words[i+1]
			i++
			continue
		}
		if strings.HasPrefix(w, "-") {
			continue
		}
		cmd = w
		break
	}
	cur := ""
	if len(words) > 0 {
		cur = words[len(words)-1]
	}
	if cmd == "" {
		if strings.HasPrefix(cur, "-") {
			return filter(globalFlags, cur)
		}
		return filter(mapKeys(commandFlags), cur)
	}
	flags, known := commandFlags[cmd]
	if !known {
		return nil
	}
	c := &completer{dir: dir, environ: environ}
	args := words[i+1:]
	prev := ""
	if len(args) >= 2 {
		prev = args[len(args)-2]
	}
	// "-flag value": the value of the flag before.
	if name, ok := strings.CutPrefix(strings.TrimPrefix(prev, "-"), "-"); ok || strings.HasPrefix(prev, "-") {
		if !ok {
			name = strings.TrimPrefix(prev, "-")
		}
		if kind, ok := flags[name]; ok && kind != noValue && !strings.Contains(prev, "=") {
			return filter(c.values(name, kind, cur), cur)
		}
	}
	if strings.HasPrefix(cur, "-") {
		if name, value, ok := strings.Cut(strings.TrimLeft(cur, "-"), "="); ok {
			// The value alone: bash breaks words at "=" (COMP_WORDBREAKS),
			// so the word it replaces is what follows it.
			return filter(c.values(name, flags[name], value), value)
		}
		var out []string
		for name, kind := range flags {
			if kind == noValue {
				out = append(out, "-"+name)
			} else {
				out = append(out, "-"+name+"=")
			}
		}
		slices.Sort(out)
		return filter(out, cur)
	}
	switch cmd {
	case "apply", "show":
		return filter(c.files(cur, false), cur)
	case "fmt":
		return filter(append(c.files(cur, false), "-"), cur)
	case "help":
		return filter(mapKeys(commandFlags), cur)
	}
	return nil
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func filter(cands []string, prefix string) []string {
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

type completer struct {
	dir     string
	environ []string
}

func (c *completer) values(name string, kind valueKind, prefix string) []string {
	if vals, ok := fixedValues[name]; ok {
		return vals
	}
	switch kind {
	case addressValue:
		return c.addresses()
	case fileValue:
		return c.files(prefix, false)
	case dirValue:
		return c.files(prefix, true)
	case testFileValue:
		names, _ := policytest.Discover(c.dir, nil)
		return names
	}
	return nil
}

// addresses are the policy's call and block addresses, as validate loads
// it: no exchange is contacted, no command runs and no secret is needed.
func (c *completer) addresses() []string {
	req := &operation.Request{Dir: c.dir, Environ: c.environ}
	policy, _ := operation.LoadPolicy(req, nopSources{})
	if policy == nil {
		return nil
	}
	var out []string
	for _, call := range policy.Calls {
		block, _, _ := strings.Cut(call.Address, "[")
		out = append(out, block, call.Address)
	}
	return out
}

// files lists the entries of the directory the prefix names, relative to
// the policy directory, directories with a trailing slash.
func (c *completer) files(prefix string, dirsOnly bool) []string {
	base := path.Dir(prefix + "x")
	list := filepath.Join(c.dir, filepath.FromSlash(base))
	if filepath.IsAbs(prefix) {
		list = filepath.FromSlash(base)
	}
	entries, err := os.ReadDir(list)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") && !strings.HasPrefix(path.Base(prefix+"x"), ".") {
			continue
		}
		if base != "." || strings.HasPrefix(prefix, "./") {
			name = path.Join(base, name)
		}
		if e.IsDir() {
			out = append(out, name+"/")
		} else if !dirsOnly {
			out = append(out, name)
		}
	}
	return out
}

type nopSources struct{}

func (nopSources) SetConfigSources(map[string]*hcl.File) {}

// lenientWords splits a command line as splitWords does, except that an
// unterminated quote or a trailing backslash ends the last word instead
// of being an error, and a line ending in a space ends with an empty word:
// the one being typed.
func lenientWords(line string) []string {
	for _, tail := range []string{"", "'", `"`, `\`, `"'`, `'"`} {
		words, err := splitWords(line + tail)
		if err != nil {
			continue
		}
		if strings.HasSuffix(line, " ") && tail == "" {
			words = append(words, "")
		}
		return words
	}
	return strings.Fields(line)
}
