package config

import "testing"

func TestProtectProtected(t *testing.T) {
	p := &Protect{Name: "p", CallIDs: []string{"911-x", "A"}, Patterns: []string{"911-*", "emerg?", `lit\/[/]x`}}
	tests := map[string]struct {
		id        string
		wantEntry string
		wantOK    bool
	}{
		"exact id wins over pattern": {"911-x", "911-x", true},
		"pattern":                    {"911-42", "911-*", true},
		"single-character wildcard":  {"emerg1", "emerg?", true},
		"ids are not patterns":       {"a", "", false},
		"no partial match":           {"x911-1", "", false},
		"escaped and classed slash":  {"lit//x", `lit\/[/]x`, true},
		"whitespace matters":         {" A", "", false},
		"star crosses a slash":       {"911-a/b+c==", "911-*", true},
		"question mark is a slash":   {"emerg/", "emerg?", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			entry, ok := p.Protected(tc.id)
			if entry != tc.wantEntry || ok != tc.wantOK {
				t.Errorf("Protected(%q) = %q, %v; want %q, %v", tc.id, entry, ok, tc.wantEntry, tc.wantOK)
			}
		})
	}
}
