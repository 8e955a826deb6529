package config

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// PlanTimestampEnv fixes the clock a policy sees: an RFC 3339 instant
// that plantimestamp() and timestamp() then return. Tests and replays
// set it (in LoadOptions.Environ) instead of waiting for time to pass;
// LoadOptions.PlanTimestamp wins over it.
const PlanTimestampEnv = "CALLCTL_PLAN_TIMESTAMP"

// resolveClock fixes the run's plan instant: LoadOptions.PlanTimestamp,
// else CALLCTL_PLAN_TIMESTAMP, else now. A fixed instant also stops the
// clock timestamp() reads.
func (ld *loadRun) resolveClock(pol *Policy) hcl.Diagnostics {
	var diags hcl.Diagnostics
	ld.now = time.Now
	fixed := ld.opts.PlanTimestamp
	if s, ok := ld.environ[PlanTimestampEnv]; ok && fixed.IsZero() {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid " + PlanTimestampEnv,
				Detail:   fmt.Sprintf("The environment variable %s is %q, which is not an RFC 3339 timestamp. Set it like 2026-01-02T15:04:05Z, or unset it to use the current time.", PlanTimestampEnv, s),
			})
		} else {
			fixed = t
			// A variable left set in a cron job's environment would make
			// every run see the same instant: say so on every run.
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Clock fixed by " + PlanTimestampEnv,
				Detail:   fmt.Sprintf("plantimestamp() and timestamp() return %s, set by the environment variable %s, not the current time. Unset it except in tests and replays.", t.UTC().Format(time.RFC3339), PlanTimestampEnv),
			})
		}
	}
	if !fixed.IsZero() {
		ld.now = func() time.Time { return fixed }
	}
	pol.PlanTimestamp = ld.now().UTC().Truncate(time.Second)
	ld.planTime = pol.PlanTimestamp
	return diags
}

// timeFunctions are Terraform's clock functions over the run's clock.
// formatdate and timeadd come from the cty standard library.
func (ld *loadRun) timeFunctions() map[string]function.Function {
	return map[string]function.Function{
		"plantimestamp": function.New(&function.Spec{
			Description: "Returns the instant this plan was made, in RFC 3339 format, the same for the whole run.",
			Type:        function.StaticReturnType(cty.String),
			Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
				return cty.StringVal(ld.planTime.Format(time.RFC3339)), nil
			},
		}),
		"timestamp": function.New(&function.Spec{
			Description: "Returns the current time in RFC 3339 format.",
			Type:        function.StaticReturnType(cty.String),
			Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
				return cty.StringVal(ld.now().UTC().Format(time.RFC3339)), nil
			},
		}),
		"timecmp": timeCmpFunc,
	}
}

// timeCmpFunc is Terraform's timecmp: -1, 0 or 1 as the first timestamp
// is before, the same instant as, or after the second, whatever their
// time zone offsets.
var timeCmpFunc = function.New(&function.Spec{
	Description: "Compares two RFC 3339 timestamps: -1, 0 or 1.",
	Params: []function.Parameter{
		{Name: "timestamp_a", Type: cty.String},
		{Name: "timestamp_b", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var ts [2]time.Time
		for i, a := range args {
			t, err := time.Parse(time.RFC3339, a.AsString())
			if err != nil {
				return cty.UnknownVal(cty.Number), function.NewArgErrorf(i, "not a valid RFC 3339 timestamp: %q", a.AsString())
			}
			ts[i] = t
		}
		return cty.NumberIntVal(int64(ts[0].Compare(ts[1]))), nil
	},
})
