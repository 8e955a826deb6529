package visible

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"plain":            {"Connected", "Connected"},
		"backslash kept":   {`CORP\alice`, `CORP\alice`},
		"unicode kept":     {"é 日本 🔴", "é 日本 🔴"},
		"replacement kept": {"a\uFFFDb", "a\uFFFDb"},
		"forged line":      {"Connected\n  # end_call.c[\"zzz\"] will be disconnected", `Connected\n  # end_call.c["zzz"] will be disconnected`},
		"clear screen":     {"\x1b[2J\x1b[HFAKE: Apply complete!", `\x1b[2J\x1b[HFAKE: Apply complete!`},
		"carriage return":  {"ok\rFAKE", `ok\rFAKE`},
		"tab":              {"a\tb", `a\tb`},
		"nul and del":      {"a\x00b\x7f", `a\x00b\x7f`},
		"c1 csi":           {"a\u009b2Jb", `a\u009b2Jb`},
		"c1 nel":           {"a\u0085b", `a\u0085b`},
		"raw c1 byte":      {"a\x9b2Jb", `a\x9b2Jb`},
		"invalid utf8":     {"a\xff\xfeb", `a\xff\xfeb`},
		"rlo":              {"abc\u202Etxt.exe", `abc\u202etxt.exe`},
		"isolates":         {"\u2066x\u2069", `\u2066x\u2069`},
		"embeddings":       {"\u202A\u202B\u202C\u202D", `\u202a\u202b\u202c\u202d`},
		"marks":            {"\u200E\u200F\u061C", `\u200e\u200f\u061c`},
		"line separators":  {"a\u2028b\u2029c", `a\u2028b\u2029c`},
		"truncated rune":   {"a\xe2\x80", `a\xe2\x80`},
	}
	for name, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("%s: Text(%q) = %q, want %q", name, tt.in, got, tt.want)
		}
	}
}

func TestLinesKeepsNewlinesOnly(t *testing.T) {
	in := "+ curl -s\n\x1b[2Jline\r\nend\u202e"
	want := "+ curl -s\n\\x1b[2Jline\\r\nend\\u202e"
	if got := Lines(in); got != want {
		t.Errorf("Lines(%q) = %q, want %q", in, got, want)
	}
}

// FuzzText holds Text's promises for any input: the result is valid UTF-8
// with no character a terminal or a bidi algorithm would act on, and text
// without such characters is left exactly as it was.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "Connected", "a\uFFFDb", "a\nb", "\x1b[2J", "\u009b", "\x9b", "\u202e", "\xff", `\x1b`, "é\u2066"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, got := range []string{Text(s), Lines(s), Quote(s)} {
			if !utf8.ValidString(got) {
				t.Fatalf("escaped %q is not valid UTF-8: %q", s, got)
			}
			for _, r := range got {
				if Dangerous(r) && r != '\n' {
					t.Fatalf("escaped %q still holds %U: %q", s, r, got)
				}
			}
		}
		if strings.Contains(Text(s), "\n") {
			t.Fatalf("Text(%q) holds a newline", s)
		}
		clean := utf8.ValidString(s) && !strings.ContainsFunc(s, Dangerous)
		if clean && (Text(s) != s || Lines(s) != s) {
			t.Fatalf("clean %q was changed: %q", s, Text(s))
		}
		if !clean && Text(s) == s {
			t.Fatalf("%q was left as it was", s)
		}
	})
}
