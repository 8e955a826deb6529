package command

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitWords(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    []string
		wantErr bool
	}{
		"empty":        {"", nil, false},
		"plain":        {"-no-color  -parallelism=4", []string{"-no-color", "-parallelism=4"}, false},
		"single":       {`-target='end_call.x["a b"]'`, []string{`-target=end_call.x["a b"]`}, false},
		"double":       {`-var "who=it's me"`, []string{"-var", "who=it's me"}, false},
		"escapes":      {`a\ b "c\"d"`, []string{"a b", `c"d`}, false},
		"empty quoted": {`'' x`, []string{"", "x"}, false},
		"unterminated": {`-var 'x`, nil, true},
		"trailing":     {`x\`, nil, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := splitWords(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("splitWords(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}
