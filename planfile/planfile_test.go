package planfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fileOpts compare Files as loaded: the digest is checked on its own, and
// an empty list reads back as empty, not nil.
var fileOpts = cmp.Options{cmpopts.IgnoreUnexported(File{}), cmpopts.EquateEmpty()}

func mustKey(t *testing.T, s string) *Key {
	t.Helper()
	k, err := NewKey([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestWriteReadRoundTrip(t *testing.T) {
	for name, key := range map[string]*Key{"unsigned": nil, "signed": mustKey(t, testKey)} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.plan")
			f := goldenFileV2()
			if err := Write(path, f, key); err != nil {
				t.Fatal(err)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", info.Mode().Perm())
			}
			got, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(f, got, fileOpts); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
			if got.Digest() != f.Digest() || !strings.HasPrefix(got.Digest(), "sha256:") {
				t.Errorf("digest read %q, written %q", got.Digest(), f.Digest())
			}
			if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
				t.Errorf("temporary files left behind: %v", entries)
			}
		})
	}
}

func TestReadRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not json":       "end_call {}",
		"other json":     `{"a": 1}`,
		"future version": `{"format_version": "9", "plan": {"changes": []}}`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(path); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
}

func TestChangesSaysWhatChanged(t *testing.T) {
	was := &Inputs{Sources: map[string]string{"main.hcl": "1", "old.hcl": "1"}, Variables: map[string]string{"ids": "1", "ticket": "1"}}
	now := &Inputs{Sources: map[string]string{"main.hcl": "2", "new.hcl": "1"}, Variables: map[string]string{"ids": "1", "ticket": "2"}}
	was.Fingerprint()
	now.Fingerprint()
	if was.PolicyHash == now.PolicyHash {
		t.Fatal("different inputs, same hash")
	}
	want := []string{`file "main.hcl" changed`, `file "old.hcl" was removed`, `file "new.hcl" was added`, `variable "ticket" changed`}
	if d := cmp.Diff(want, was.Changes(now)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	same := &Inputs{Sources: map[string]string{"main.hcl": "1", "old.hcl": "1"}, Variables: map[string]string{"ids": "1", "ticket": "1"}}
	same.Fingerprint()
	if same.PolicyHash != was.PolicyHash || len(was.Changes(same)) != 0 {
		t.Error("same inputs reported as changed")
	}
}

// Everything that shapes a plan is in its fingerprint: version 1 left out
// -target, -exclude, -var and -var-file, so a file edited to widen them
// still matched.
func TestFingerprintCoversEveryInput(t *testing.T) {
	base := goldenFileV2().Inputs
	edits := map[string]func(in *Inputs){
		"targets removed":  func(in *Inputs) { in.Targets = nil },
		"exclude removed":  func(in *Inputs) { in.Excludes = nil },
		"var added":        func(in *Inputs) { in.Vars = append(in.Vars, "ids=[\"x\"]") },
		"var-file removed": func(in *Inputs) { in.VarFiles = nil },
		"var-files order":  func(in *Inputs) { in.VarFiles = []string{"b.vars", "a.vars"} },
		"cap raised":       func(in *Inputs) { in.MaxDisconnects = 500 },
		"cap removed":      func(in *Inputs) { in.MaxDisconnects = -1 },
		"variable changed": func(in *Inputs) { in.Variables = map[string]string{"ids": "5a1e", "ticket": "7e57"} },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			f := goldenFileV2()
			now := base
			if name == "var-files order" {
				f.Inputs.VarFiles = []string{"a.vars", "b.vars"}
				f.Inputs.Fingerprint()
			}
			edit(&now)
			if got, edited := f.Stale(&now); len(got) == 0 && !edited {
				t.Errorf("an edit to the inputs left the plan current")
			}
		})
	}
	now := base
	if got, edited := goldenFileV2().Stale(&now); len(got) != 0 || edited {
		t.Errorf("the same inputs are stale: %q", got)
	}
}

// testdata/plan-v1.json was written by callctl 0.9. It must keep loading,
// to the same plan, and be judged by the version 1 fingerprint.
func TestVersion1PlanFileKeepsLoading(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "plan-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(bytes.NewReader(golden))
	if err != nil {
		t.Fatal(err)
	}
	want := goldenFile()
	if d := cmp.Diff(want, got, fileOpts); d != "" {
		t.Errorf("loaded plan (-want +got):\n%s", d)
	}
	if got.Signature != nil || got.Verify(mustKey(t, testKey)) != ErrUnsigned {
		t.Error("a version 1 plan does not load as unsigned")
	}
	now := want.Inputs
	if stale, edited := got.Stale(&now); len(stale) != 0 || edited {
		t.Errorf("version 1 plan judged stale against its own inputs: %q", stale)
	}
}

// testdata/plan-v3.json is the current format; CALLCTL_UPDATE=1 rewrites it.
func TestVersion3Golden(t *testing.T) {
	path := filepath.Join("testdata", "plan-v3.json")
	key := mustKey(t, testKey)
	enc, err := Encode(goldenFileV2(), key)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("CALLCTL_UPDATE") != "" {
		if err := os.WriteFile(path, enc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(golden), string(enc)); d != "" {
		t.Errorf("version 3 encoding changed (-golden +now); a change to the format needs a new version:\n%s", d)
	}
	got, err := Decode(bytes.NewReader(golden))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(goldenFileV2(), got, fileOpts, cmpopts.IgnoreFields(File{}, "Signature")); d != "" {
		t.Errorf("loaded plan (-want +got):\n%s", d)
	}
	if err := got.Verify(key); err != nil {
		t.Errorf("the golden plan does not verify: %v", err)
	}
	if !bytes.Contains(golden, []byte(`"digest": "`+got.Digest()+`"`)) {
		t.Errorf("the file does not store its digest %s", got.Digest())
	}
}

// testdata/plan-v2.json, written before plans stored their digest, keeps
// loading with the same content, digest and signature.
func TestVersion2PlanFileKeepsLoading(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "plan-v2.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(bytes.NewReader(golden))
	if err != nil {
		t.Fatal(err)
	}
	want := goldenFileV2()
	want.FormatVersion = "2"
	if d := cmp.Diff(want, got, fileOpts, cmpopts.IgnoreFields(File{}, "Signature")); d != "" {
		t.Errorf("loaded plan (-want +got):\n%s", d)
	}
	if err := got.Verify(mustKey(t, testKey)); err != nil {
		t.Errorf("the version 2 plan does not verify: %v", err)
	}
	// Its digest is what it always was: the same content encoded as
	// version 2.
	if _, err := Encode(want, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Digest(), "sha256:") || got.Digest() == want.Digest() {
		t.Errorf("version 2 digest %s, re-encoded as version 3 %s: they must differ (the version is content)", got.Digest(), want.Digest())
	}
}

// An unsigned plan whose data-source records and changes were edited
// together, as in a text editor, no longer matches the digest it stores:
// it is refused, naming both digests. Recomputing the digest makes a
// different digest than the reviewed one, which is what a reviewer
// compares; only signing stops such a forger.
func TestEditedPlanRefusedByStoredDigest(t *testing.T) {
	plain, err := Encode(goldenFileV2(), nil)
	if err != nil {
		t.Fatal(err)
	}
	reviewed, err := Decode(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(plain, &doc); err != nil {
		t.Fatal(err)
	}
	ds := doc["data_sources"].([]any)[0].(map[string]any)
	ds["snapshot"] = ds["snapshot"].(string) + "{\"call_id\":\"c-7\"}\n"
	ds["records"] = 3.0
	changes := doc["plan"].(map[string]any)["changes"].([]any)
	c := changes[0].(map[string]any)
	c["call_id"], c["address"] = "c-7", `end_call.stuck["c-7"]`
	edited, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	_, decodeErr := Decode(bytes.NewReader(edited))
	if !errors.Is(decodeErr, ErrDigestMismatch) || !strings.Contains(decodeErr.Error(), reviewed.Digest()) {
		t.Fatalf("edited plan: err = %v, want a digest mismatch naming %s", decodeErr, reviewed.Digest())
	}
	content, err := ContentDigest(edited)
	if err != nil {
		t.Fatal(err)
	}
	if content == reviewed.Digest() || !strings.Contains(decodeErr.Error(), content) {
		t.Errorf("content digest %s: must differ from the reviewed %s and be named", content, reviewed.Digest())
	}
	// Each part is inside the digest: the snapshot alone, the plan
	// timestamp alone, one change alone.
	for name, edit := range map[string]func(map[string]any){
		"snapshot":       func(d map[string]any) { d["data_sources"].([]any)[0].(map[string]any)["snapshot"] = "{}\n" },
		"plan timestamp": func(d map[string]any) { d["plan_timestamp"] = "2026-11-26T07:00:00Z" },
		"a change": func(d map[string]any) {
			d["plan"].(map[string]any)["changes"].([]any)[1].(map[string]any)["action"] = "disconnect"
		},
		"no digest": func(d map[string]any) { delete(d, "digest") },
	} {
		var d map[string]any
		if err := json.Unmarshal(plain, &d); err != nil {
			t.Fatal(err)
		}
		edit(d)
		b, _ := json.Marshal(d)
		if _, err := Decode(bytes.NewReader(b)); err == nil {
			t.Errorf("%s edited: the plan still loads", name)
		}
	}
	// Laid out differently but the same content: still loads.
	if err := json.Unmarshal(plain, &doc); err != nil {
		t.Fatal(err)
	}
	compact, _ := json.Marshal(doc)
	if got, err := Decode(bytes.NewReader(compact)); err != nil || got.Digest() != reviewed.Digest() {
		t.Errorf("re-laid-out plan: %v, digest %v", err, got)
	}
}

// A signature binds the content, whatever the layout; any edit, another
// key, or no signature at all is told apart.
func TestVerify(t *testing.T) {
	key := mustKey(t, testKey)
	signed, err := Encode(goldenFileV2(), key)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(doc map[string]any)) []byte {
		var doc map[string]any
		if err := json.Unmarshal(signed, &doc); err != nil {
			t.Fatal(err)
		}
		f(doc)
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		// A forger recomputes the stored digest, which anyone can: the
		// signature is what tells.
		if doc["digest"], err = ContentDigest(b); err != nil {
			t.Fatal(err)
		}
		b, err = json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	inputs := func(doc map[string]any) map[string]any { return doc["inputs"].(map[string]any) }
	tests := map[string]struct {
		file []byte
		key  *Key
		want error
	}{
		"as signed":             {signed, key, nil},
		"laid out anew":         {edit(func(map[string]any) {}), key, nil},
		"another key":           {signed, mustKey(t, strings.Repeat("k", 40)), ErrWrongKey},
		"targets removed":       {edit(func(d map[string]any) { inputs(d)["targets"] = []any{} }), key, ErrBadSignature},
		"var added":             {edit(func(d map[string]any) { inputs(d)["vars"] = []any{"ids=[\"x\"]"} }), key, ErrBadSignature},
		"snapshot edited":       {edit(func(d map[string]any) { d["data_sources"].([]any)[0].(map[string]any)["snapshot"] = "{}\n" }), key, ErrBadSignature},
		"plan timestamp edited": {edit(func(d map[string]any) { d["plan_timestamp"] = "2027-01-01T00:00:00Z" }), key, ErrBadSignature},
		"signature removed":     {edit(func(d map[string]any) { delete(d, "signature") }), key, ErrUnsigned},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f, err := Decode(bytes.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Verify(tt.key); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// Decoding is strict: what encoding/json would let through quietly, or
// what apply would have to guess at, is refused with the place named.
func TestDecodeStrict(t *testing.T) {
	good, err := Encode(goldenFileV2(), nil)
	if err != nil {
		t.Fatal(err)
	}
	g := string(good)
	replace := func(old, new string) string {
		if !strings.Contains(g, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(g, old, new, 1)
	}
	tests := map[string]struct{ in, want string }{
		"unknown field":       {replace(`"plan": {`, `"plan": {"extra": 1, `), `plan: unknown field "extra"`},
		"field in other case": {replace(`"plan": {`, `"Plan": {`), `unknown field "Plan"`},
		"field given twice":   {replace(`"action": "disconnect",`, `"action": "not_found", "action": "disconnect",`), `plan.changes[0].action is given twice`},
		"trailing data":       {g + `{"format_version": "2"}`, "data after the plan's JSON object"},
		"trailing garbage":    {g + "x", "data after the plan's JSON object"},
		"null change":         {replace(`"changes": [`, `"changes": [null, `), "plan.changes[0] is null"},
		"null plan":           {replace(`"plan": {`, `"plan": null, "x": {`), "plan is null"},
		"unknown action":      {replace(`"action": "disconnect"`, `"action": "disconect"`), `plan.changes[0] (end_call.stuck["c-1"]) has action "disconect"`},
		"empty action":        {replace(`"action": "disconnect"`, `"action": ""`), `has action ""`},
		"no call id":          {replace(`"call_id": "c-1"`, `"call_id": ""`), "plan.changes[0] lacks an address, exchange or call_id"},
		"wrong kind":          {replace(`"changes": [`, `"changes": {"a": 1}, "x": [`), "plan.changes is not a list"},
		"string for number":   {replace(`"max_disconnects": 5`, `"max_disconnects": "5"`), "inputs.max_disconnects is not a number"},
		"fraction":            {replace(`"max_disconnects": 5`, `"max_disconnects": 5.5`), "inputs.max_disconnects is not a whole number"},
		"var-file absolute": {replace(`"incident.vars"
    ]`, `"/etc/passwd"
    ]`), `inputs.var_files names "/etc/passwd", which is not inside the policy directory`},
		"var-file escapes": {replace(`"incident.vars"
    ]`, `"../../etc/passwd"
    ]`), `names "../../etc/passwd"`},
		"duplicate data source":     {replace(`"data_sources": [`, `"data_sources": [{"address": "data.inventory.dialer", "records": 0, "snapshot": ""}, `), `data source "data.inventory.dialer" is listed more than once`},
		"bad signature":             {replace(`"plan": {`, `"signature": {"algorithm": "none", "key_id": "", "value": ""}, "plan": {`), `the signature's algorithm is "none"`},
		"version 1 with a v2 field": {`{"format_version": "1", "plan_timestamp": "2026-01-01T00:00:00Z", "inputs": {"salt": "00"}, "plan": {"changes": []}}`, `unknown field "plan_timestamp"`},
		"version 1 null change":     {`{"format_version": "1", "inputs": {"salt": "00"}, "plan": {"changes": [null]}}`, "plan.changes[0] is null"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode: err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// An enormous file is refused before it is read.
func TestReadRefusesOversizedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.plan")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := fh.Truncate(MaxFileBytes + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	fh.Close()
	if _, err := Read(path); err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Errorf("Read: err = %v, want a size refusal", err)
	}
	if _, err := Read(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Read of a directory: err = %v", err)
	}
}

func TestKeyFromEnviron(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(testKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		env     []string
		wantID  string
		wantErr string
	}{
		"none":         {nil, "", ""},
		"empty":        {[]string{KeyEnv + "="}, "", ""},
		"value":        {[]string{KeyEnv + "=" + testKey}, mustKey(t, testKey).ID(), ""},
		"file":         {[]string{KeyFileEnv + "=" + keyFile}, mustKey(t, testKey).ID(), ""},
		"too short":    {[]string{KeyEnv + "=hunter2"}, "", "must be at least 32"},
		"both":         {[]string{KeyEnv + "=" + testKey, KeyFileEnv + "=" + keyFile}, "", "both"},
		"missing file": {[]string{KeyFileEnv + "=" + filepath.Join(dir, "nope")}, "", "reading the plan key file"},
		"directory":    {[]string{KeyFileEnv + "=" + dir}, "", "not a regular file"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			k, err := KeyFromEnviron(tt.env)
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Error("the error quotes the key")
				}
			case err != nil:
				t.Fatal(err)
			case tt.wantID == "" && k != nil, tt.wantID != "" && (k == nil || k.ID() != tt.wantID):
				t.Errorf("key %v, want id %q", k, tt.wantID)
			}
		})
	}
}

// With a key, the variable fingerprints cannot be recomputed from what the
// file holds: the salt alone no longer keys them.
func TestVariableKeyNeedsThePlanKey(t *testing.T) {
	salt := goldenFile().Inputs.Salt
	if VariableKey(salt, nil) != salt {
		t.Error("an unsigned plan's variable key is not its salt")
	}
	if k := VariableKey(salt, mustKey(t, testKey)); k == salt || k == VariableKey(salt, mustKey(t, strings.Repeat("x", 32))) {
		t.Error("a signed plan's variable key does not depend on the plan key")
	}
}

// A plan file is never written through a symbolic link planted at its
// path.
func TestWriteReplacesSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "p.plan")
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, goldenFileV2(), nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("the link's target was overwritten")
	}
	if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() || info.Mode().Perm() != 0o600 {
		t.Errorf("plan file is %v (%v), want a regular file with mode 0600", info.Mode(), err)
	}
}

// The records a plan keeps are bounded on writing and on reading.
func TestSnapshotsAreBounded(t *testing.T) {
	f := goldenFileV2()
	within, err := Encode(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	limit := len(f.DataSources[0].Snapshot) - 1
	if _, err := encode(goldenFileV2(), nil, limit); err == nil || !strings.Contains(err.Error(), "data sources' records take") {
		t.Errorf("Encode: err = %v, want a size refusal", err)
	}
	if _, err := decode(bytes.NewReader(within), limit); err == nil || !strings.Contains(err.Error(), "data sources' records take") {
		t.Errorf("Decode: err = %v, want a size refusal", err)
	}
}
