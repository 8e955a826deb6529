// Package shellquote writes an argument so that a POSIX shell reads it
// back byte for byte: callctl prints commands for the operator to paste
// (the -chdir of a saved plan, the plan file), and a path holding $, a
// backtick or a quote must not run anything when pasted.
package shellquote

import (
	"regexp"
	"strings"
)

// plain are arguments no shell treats specially, shown as they are.
var plain = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// Quote returns s as one shell word: unchanged when it is plain,
// otherwise in single quotes, inside which a shell expands nothing; each
// single quote in s is written '\” (close, escaped quote, reopen). A
// newline stays a newline inside the quotes, which a shell keeps as part
// of the word.
func Quote(s string) string {
	if plain.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
