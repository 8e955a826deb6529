package planfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/callctl/callctl/reconcile"
)

// FuzzDecode feeds plan files (seeded in testdata/fuzz/FuzzDecode with
// plans callctl wrote, edited and forged ones among them) to Decode. A
// file it accepts has only real changes with known actions, checks its
// signature without panicking, and encodes again to the same plan, with
// the same digest when it is of the current version.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"plan-v1.json", "plan-v2.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	key, err := NewKey([]byte(testKey))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Decode(bytes.NewReader(b))
		if err != nil {
			return
		}
		for i, c := range got.Plan.Changes {
			if c == nil {
				t.Fatalf("change %d is nil", i)
			}
			switch c.Action {
			case reconcile.ActionDisconnect, reconcile.ActionNone, reconcile.ActionNotFound, reconcile.ActionLeaveAlone:
			default:
				t.Fatalf("change %d has action %q", i, c.Action)
			}
		}
		_ = got.Verify(key)
		cp := *got
		enc, err := Encode(&cp, nil)
		if err != nil {
			t.Fatalf("a decoded plan does not encode: %v", err)
		}
		again, err := Decode(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("a re-encoded plan does not decode: %v\n%s", err, enc)
		}
		if d := cmp.Diff(got, again, fileOpts, cmpopts.IgnoreFields(File{}, "Signature", "FormatVersion")); d != "" {
			t.Fatalf("re-encoding changed the plan (-decoded +again):\n%s", d)
		}
		if got.FormatVersion == FormatVersion && again.Digest() != got.Digest() {
			t.Fatalf("re-encoding changed the digest: %s, then %s", got.Digest(), again.Digest())
		}
	})
}
