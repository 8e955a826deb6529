package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFormat(t *testing.T) {
	tests := map[string]struct {
		src       string
		want      string
		wantDiags []string
	}{
		"aligns and indents": {
			src:  "end_call \"a\" {\nexchange=exchange.corp\n    call_id = \"X\"\n}\n",
			want: "end_call \"a\" {\n  exchange = exchange.corp\n  call_id  = \"X\"\n}\n",
		},
		"already formatted is unchanged": {
			src:  "exchange \"corp\" {\n  url = \"https://x\"\n}\n",
			want: "exchange \"corp\" {\n  url = \"https://x\"\n}\n",
		},
		"call id whitespace is kept": {
			src:  "end_call \"a\" {\ncall_id=\"  X \"\n}\n",
			want: "end_call \"a\" {\n  call_id = \"  X \"\n}\n",
		},
		"broken source is not formatted": {
			src:       "end_call \"a\" {\ncall_id = \n",
			wantDiags: []string{"ERROR: Invalid expression @main.hcl:2"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, diags := Format([]byte(tc.src), "main.hcl")
			if diff := cmp.Diff(tc.wantDiags, diagLines(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if tc.wantDiags != nil {
				if got != nil {
					t.Errorf("Format returned %q for a broken source, want nil", got)
				}
				return
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("Format (-want +got):\n%s", diff)
			}
		})
	}
}
