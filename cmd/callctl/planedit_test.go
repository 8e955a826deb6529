package main

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/callctl/callctl/planfile"
)

// cmdPlanedit tampers with a saved plan, as someone editing the file
// between review and apply might. It rewrites the file as indented JSON
// with sorted keys, which leaves a plan's digest (and signature) as they
// were unless the content changed. A forger recomputes the digest a plan
// stores, as anyone can, so planedit does too (which tests the checks
// behind it); with -keepdigest first it leaves the stored digest as it
// was, as a hand edit in a text editor does.
//
//	planedit [-keepdigest] FILE ...
//
//	planedit FILE dup INDEX              list change INDEX twice
//	planedit FILE set INDEX FIELD JSON   set a field of change INDEX
//	planedit FILE at PATH JSON|delete    set or delete the value at PATH
//	                                     (dot-separated keys and indexes)
//	planedit FILE add JSON               add a change
//	planedit FILE forgevar NAME HCL JSON add "-var NAME=HCL" and set the
//	                                     variable's fingerprint to the HMAC
//	                                     of JSON keyed with the file's salt
//	planedit FILE reseal                 recompute policy_hash from the
//	                                     inputs, as a forger would
func cmdPlanedit(ts *testscript.TestScript, neg bool, args []string) {
	keepDigest := len(args) > 0 && args[0] == "-keepdigest"
	if keepDigest {
		args = args[1:]
	}
	if neg || len(args) < 2 {
		ts.Fatalf("usage: planedit [-keepdigest] FILE dup|set|at|add|forgevar|reseal ...")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	var doc map[string]any
	ts.Check(json.Unmarshal(b, &doc))
	plan := doc["plan"].(map[string]any)
	changes, _ := plan["changes"].([]any)
	inputs := doc["inputs"].(map[string]any)
	index := func(s string) int {
		i, err := strconv.Atoi(s)
		ts.Check(err)
		return i
	}
	value := func(s string) any {
		var v any
		ts.Check(json.Unmarshal([]byte(s), &v))
		return v
	}
	switch op := args[1]; {
	case op == "dup" && len(args) == 3:
		plan["changes"] = append(changes, changes[index(args[2])])
	case op == "set" && len(args) == 5:
		changes[index(args[2])].(map[string]any)[args[3]] = value(args[4])
	case op == "at" && len(args) == 4:
		keys := strings.Split(args[2], ".")
		var at any = doc
		for _, k := range keys[:len(keys)-1] {
			if l, ok := at.([]any); ok {
				at = l[index(k)]
			} else {
				at = at.(map[string]any)[k]
			}
		}
		last := keys[len(keys)-1]
		switch l := at.(type) {
		case []any:
			l[index(last)] = value(args[3])
		case map[string]any:
			if args[3] == "delete" {
				delete(l, last)
			} else {
				l[last] = value(args[3])
			}
		}
	case op == "add" && len(args) == 3:
		plan["changes"] = append(changes, value(args[2]))
	case op == "forgevar" && len(args) == 5:
		salt := inputs["salt"].(string)
		inputs["variables"].(map[string]any)[args[2]] = planfile.KeyedHash(salt, []byte(args[4]))
		vars, _ := inputs["vars"].([]any)
		inputs["vars"] = append(vars, args[2]+"="+args[3])
	case op == "reseal" && len(args) == 2:
		in := planfile.Inputs{
			Sources: strMap(inputs["sources"]), Variables: strMap(inputs["variables"]), Exchanges: strMap(inputs["exchanges"]),
			VarFiles: strList(inputs["var_files"]), Vars: strList(inputs["vars"]),
			Targets: strList(inputs["targets"]), Excludes: strList(inputs["excludes"]),
			MaxDisconnects: int(inputs["max_disconnects"].(float64)),
		}
		in.Fingerprint()
		inputs["policy_hash"] = in.PolicyHash
	default:
		ts.Fatalf("planedit: bad arguments %q", args)
	}
	b, err = json.MarshalIndent(doc, "", "  ")
	ts.Check(err)
	// An edit that makes the file unreadable (a null change, say) keeps
	// the old digest: there is no content digest to forge.
	if _, stores := doc["digest"]; stores && !keepDigest {
		if d, err := planfile.ContentDigest(b); err == nil {
			doc["digest"] = d
			b, err = json.MarshalIndent(doc, "", "  ")
			ts.Check(err)
		}
	}
	ts.Check(os.WriteFile(path, b, 0o600))
}

func strMap(v any) map[string]string {
	out := map[string]string{}
	for k, s := range v.(map[string]any) {
		out[k] = s.(string)
	}
	return out
}

func strList(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, s := range l {
		out = append(out, s.(string))
	}
	return slices.Clip(out)
}
