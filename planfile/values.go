package planfile

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/callctl/callctl/config"
)

// storedValue is one variable's value in a plan file: the value and its
// type, in cty's JSON encodings, so that apply gets back exactly it.
type storedValue struct {
	Value json.RawMessage `json:"value"`
	Type  json.RawMessage `json:"type"`
}

// ValuesOf encodes the values of the policy's variables that are not
// sensitive, by name, for Inputs.Values: apply uses them instead of
// reading -var, -var-file or CALLCTL_VAR_ again. Sensitive values are
// never stored; apply takes them from the environment.
func ValuesOf(policy *config.Policy) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(policy.Variables)) {
		if policy.Sensitive[name] {
			continue
		}
		v := policy.Variables[name]
		if !v.IsWhollyKnown() {
			continue
		}
		val, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			return nil, fmt.Errorf("planfile: encoding variable %q: %w", name, err)
		}
		ty, err := ctyjson.MarshalType(v.Type())
		if err != nil {
			return nil, fmt.Errorf("planfile: encoding the type of variable %q: %w", name, err)
		}
		b, err := json.Marshal(storedValue{Value: val, Type: ty})
		if err != nil {
			return nil, fmt.Errorf("planfile: encoding variable %q: %w", name, err)
		}
		out[name] = string(b)
	}
	return out, nil
}

// DecodeValues turns Inputs.Values back into values.
func DecodeValues(values map[string]string) (map[string]cty.Value, error) {
	out := make(map[string]cty.Value, len(values))
	for _, name := range slices.Sorted(maps.Keys(values)) {
		var sv storedValue
		if err := json.Unmarshal([]byte(values[name]), &sv); err != nil {
			return nil, fmt.Errorf("planfile: inputs.values[%q] is not a stored value: %w", name, err)
		}
		ty, err := ctyjson.UnmarshalType(sv.Type)
		if err != nil {
			return nil, fmt.Errorf("planfile: inputs.values[%q] has no valid type: %w", name, err)
		}
		v, err := ctyjson.Unmarshal(sv.Value, ty)
		if err != nil {
			return nil, fmt.Errorf("planfile: inputs.values[%q] does not match its type: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}
