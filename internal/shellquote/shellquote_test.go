package shellquote

import (
	"os/exec"
	"testing"
)

// What a shell reads back from the quoted word is the original, and
// nothing in it runs: checked with the system's sh, not by reading our
// own output.
func TestQuoteIsShellSafe(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on this machine")
	}
	for _, s := range []string{
		"plain/path-1.plan",
		"with space",
		"$HOME",
		"${PATH}",
		"$(touch pwned)",
		"`touch pwned`",
		`"double" quotes`,
		"it's",
		"''",
		`back\slash`,
		"new\nline",
		"tab\there",
		"semi;colon && echo x | cat > y",
		"*?[glob]",
		"~user",
		"-dash",
		"",
	} {
		dir := t.TempDir()
		cmd := exec.Command(sh, "-c", "printf %s "+Quote(s))
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%q quoted as %s: sh failed: %v", s, Quote(s), err)
			continue
		}
		if string(out) != s {
			t.Errorf("%q quoted as %s reads back as %q", s, Quote(s), out)
		}
		if m, _ := exec.Command("ls", "-A", dir).Output(); len(m) > 0 {
			t.Errorf("%q quoted as %s ran something: %s", s, Quote(s), m)
		}
	}
}

func TestQuoteLeavesPlainArgumentsAlone(t *testing.T) {
	for _, s := range []string{"run.plan", "/etc/callctl/standing", "a=b,c:d@e%f+g"} {
		if got := Quote(s); got != s {
			t.Errorf("Quote(%q) = %s, want it unchanged", s, got)
		}
	}
}
