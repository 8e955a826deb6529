package command

import (
	"fmt"
	"strings"
)

// cliArgsEnv holds flags to add to every command, as TF_CLI_ARGS does for
// Terraform; cliArgsEnv+"_"+command holds flags for that command only.
// They go after the command name, before the arguments given, so that
// flags given on the command line win where a later flag wins.
const cliArgsEnv = "CALLCTL_CLI_ARGS"

// envArgs returns the extra arguments the environment asks for cmd. A
// flag cmd does not take is an error naming the variable, which the
// command's own flag error could not.
func (m *Meta) envArgs(cmd string) ([]string, error) {
	var out []string
	for _, name := range []string{cliArgsEnv, cliArgsEnv + "_" + cmd} {
		words, err := splitWords(m.Streams.Getenv(name))
		if err != nil {
			return nil, fmt.Errorf("the environment variable %s cannot be read as arguments: %w", name, err)
		}
		if flags, known := commandFlags[cmd]; known {
			for _, w := range words {
				flag, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
				if _, ok := flags[flag]; strings.HasPrefix(w, "-") && !ok {
					return nil, fmt.Errorf("the environment variable %s gives %s, which \"callctl %s\" does not take; give it in %s_<command> for the commands that do", name, w, cmd, cliArgsEnv)
				}
			}
		}
		out = append(out, words...)
	}
	return out, nil
}

// splitWords splits s into words as a POSIX shell does, with single and
// double quotes and backslash escapes, and nothing else: no variables, no
// globs, no command substitution.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch r {
			case '"':
				quote = 0
			case '\\':
				escaped = true
			default:
				cur.WriteRune(r)
			}
		case r == '\\':
			escaped, inWord = true, true
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if escaped {
		return nil, fmt.Errorf("a backslash ends the value")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
