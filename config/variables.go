package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// variableDecl is a decoded variable block.
type variableDecl struct {
	name      string
	ty        cty.Type
	defaults  *typeexpr.Defaults // optional-attribute defaults of ty, or nil
	parseHCL  bool               // -var and CALLCTL_VAR_ values are HCL expressions, not literal strings
	def       cty.Value          // converted default; cty.NilVal when there is none
	failed    bool               // the type or default is invalid and was reported
	sensitive bool
	declRange hcl.Range
}

// rawValue is a variable value from one source, before type conversion.
// Only the winning source's value is converted, as in Terraform, so a bad
// value that a higher-precedence source overrides is no error.
type rawValue struct {
	val    cty.Value
	source string     // "the -var option", "the variables file \"x\"", ...
	rng    *hcl.Range // in a variables file, else nil
}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
}

// decodeVariables decodes the variable blocks, resolves every variable's
// value by precedence (default < CALLCTL_VAR_ environment < -var-file in
// order < -var in order), and builds the var object.
func (ld *loadRun) decodeVariables(blocks []*hcl.Block, pol *Policy) hcl.Diagnostics {
	var diags hcl.Diagnostics
	ld.vars = map[string]*variableDecl{}
	var order []*variableDecl
	for _, b := range blocks {
		decl, moreDiags := decodeVariableBlock(b)
		diags = append(diags, moreDiags...)
		ld.vars[decl.name] = decl
		order = append(order, decl)
	}

	raw, moreDiags := ld.collectVariableValues()
	diags = append(diags, moreDiags...)

	obj := map[string]cty.Value{}
	for _, decl := range order {
		v, ok, moreDiags := decl.resolve(raw[decl.name], ld.opts.SavedPlan)
		if !ok && raw[decl.name] == nil && ld.opts.UnsetUnknown && !decl.failed {
			// validate without values: unknown, so that everything
			// using it is type-checked and skipped, not refused.
			v, ok, moreDiags = cty.UnknownVal(decl.ty), true, nil
		}
		diags = append(diags, moreDiags...)
		if !ok {
			// Unknown, so that expressions using it evaluate to unknown
			// and are skipped silently instead of piling up errors.
			obj[decl.name] = cty.DynamicVal
			ld.varsFailed = true
			continue
		}
		pol.Variables[decl.name] = v
		if decl.sensitive || ld.secretVars[decl.name] {
			pol.Sensitive[decl.name] = true
			ld.addSecretValue(v)
			v = v.Mark(sensitiveMark)
			ld.anyMarked = true
		}
		obj[decl.name] = v
	}
	ld.varVal = cty.ObjectVal(obj)
	return diags
}

func decodeVariableBlock(b *hcl.Block) (*variableDecl, hcl.Diagnostics) {
	decl := &variableDecl{name: b.Labels[0], ty: cty.DynamicPseudoType, declRange: b.DefRange}
	content, diags := b.Body.Content(variableSchema)

	if attr, ok := content.Attributes["type"]; ok {
		ty, defaults, moreDiags := typeexpr.TypeConstraintWithDefaults(attr.Expr)
		diags = append(diags, moreDiags...)
		decl.failed = moreDiags.HasErrors()
		if !decl.failed {
			decl.ty, decl.defaults = ty, defaults
			// Like Terraform: primitive types take command-line values
			// literally (and convert "3" to 3); anything else, including
			// an explicit any, is written as an HCL expression.
			decl.parseHCL = !ty.IsPrimitiveType()
		}
	}
	if attr, ok := content.Attributes["default"]; ok && !decl.failed {
		v, moreDiags := attr.Expr.Value(nil)
		diags = append(diags, moreDiags...)
		if moreDiags.HasErrors() {
			decl.failed = true
		} else if cv, err := decl.convert(v); err != nil {
			decl.failed = true
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid default value for variable",
				Detail: fmt.Sprintf("The default value of variable %q does not match its type %s: %s. Change the default or the type.",
					decl.name, typeexpr.TypeString(decl.ty), convertErrorText(err)),
				Subject: attr.Expr.Range().Ptr(),
			})
		} else {
			decl.def = cv
		}
	}
	if attr, ok := content.Attributes["description"]; ok {
		diags = append(diags, staticValue(attr, cty.String).diags...)
	}
	if attr, ok := content.Attributes["sensitive"]; ok {
		r := staticValue(attr, cty.Bool)
		diags = append(diags, r.diags...)
		decl.sensitive = r.ok && r.val.True()
	}
	return decl, diags
}

type staticResult struct {
	val   cty.Value
	ok    bool
	diags hcl.Diagnostics
}

// staticValue evaluates a variable block attribute, which may use neither
// references nor functions.
func staticValue(attr *hcl.Attribute, want cty.Type) staticResult {
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return staticResult{diags: diags}
	}
	cv, err := convert.Convert(v, want)
	if err == nil && cv.IsNull() {
		err = fmt.Errorf("must not be null")
	}
	if err != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("Inappropriate value for argument %q: %s.", attr.Name, convertErrorText(err)),
			Subject:  attr.Expr.Range().Ptr(),
		})
		return staticResult{diags: diags}
	}
	return staticResult{val: cv, ok: true, diags: diags}
}

func (decl *variableDecl) convert(v cty.Value) (cty.Value, error) {
	if decl.defaults != nil && v.IsWhollyKnown() && !v.IsNull() {
		v = decl.defaults.Apply(v)
	}
	return convertFast(v, decl.ty)
}

// resolve picks the variable's final value: the winning raw value
// converted to the declared type, or the default.
func (decl *variableDecl) resolve(rv *rawValue, savedPlan bool) (cty.Value, bool, hcl.Diagnostics) {
	if decl.failed {
		return cty.NilVal, false, nil
	}
	if rv == nil {
		if decl.def == cty.NilVal {
			return cty.NilVal, false, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "No value for required variable",
				Detail:   missingVariableDetail(decl.name, savedPlan),
				Subject:  decl.declRange.Ptr(),
			}}
		}
		return decl.def, true, nil
	}
	if !rv.val.IsWhollyKnown() {
		return cty.NilVal, false, nil // its parse error was reported
	}
	v, err := decl.convert(rv.val)
	if err != nil {
		subject := decl.declRange.Ptr()
		if rv.rng != nil {
			subject = rv.rng
		}
		return cty.NilVal, false, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail: fmt.Sprintf("The value for variable %q given by %s does not match its type %s: %s. Correct the value there.",
				decl.name, rv.source, typeexpr.TypeString(decl.ty), convertErrorText(err)),
			Subject: subject,
		}}
	}
	return v, true, nil
}

// collectVariableValues reads every source in precedence order; a later
// value for the same name replaces an earlier one.
func (ld *loadRun) collectVariableValues() (map[string]*rawValue, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	vals := map[string]*rawValue{}

	for _, kv := range ld.opts.Environ {
		k, raw, ok := strings.Cut(kv, "=")
		name, isVar := strings.CutPrefix(k, envVarPrefix)
		decl := ld.vars[name]
		if !ok || !isVar || decl == nil {
			continue // undeclared ones may serve another policy, as with TF_VAR_
		}
		v, moreDiags := decl.parseRaw(raw)
		diags = append(diags, moreDiags...)
		vals[name] = &rawValue{val: v, source: fmt.Sprintf("the environment variable %s", k)}
	}

	args := ld.opts.VarArgs
	if args == nil {
		for _, name := range ld.opts.VarFiles {
			args = append(args, VarArg{File: true, Value: name})
		}
		for _, opt := range ld.opts.Vars {
			args = append(args, VarArg{Value: opt})
		}
	}
	for _, arg := range args {
		if arg.File {
			diags = append(diags, ld.readVarFile(arg.Value, vals)...)
			continue
		}
		diags = append(diags, ld.varOption(arg.Value, vals)...)
	}
	diags = append(diags, ld.givenValues(vals)...)
	return vals, diags
}

// varOption reads one -var option into vals.
func (ld *loadRun) varOption(opt string, vals map[string]*rawValue) hcl.Diagnostics {
	name, raw, ok := strings.Cut(opt, "=")
	if !ok || name == "" {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid -var option",
			Detail:   fmt.Sprintf("The -var option %q is not of the form name=value. Write it like -var=\"name=value\".", opt),
		}}
	}
	decl := ld.vars[name]
	if decl == nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Value for undeclared variable",
			Detail: fmt.Sprintf("A -var option sets %q, but the policy declares no variable of that name. Declare it with a variable block, or correct the name.%s",
				name, didYouMean(name, mapKeys(ld.vars))),
		}}
	}
	v, diags := decl.parseRaw(raw)
	vals[name] = &rawValue{val: v, source: "the -var option"}
	return diags
}

// parseRaw turns a command-line or environment value into a cty value:
// the string itself, or for a non-primitive type an HCL expression.
func (decl *variableDecl) parseRaw(raw string) (cty.Value, hcl.Diagnostics) {
	if !decl.parseHCL {
		return cty.StringVal(raw), nil
	}
	filename := fmt.Sprintf("<value for var.%s>", decl.name)
	expr, diags := parseExpression([]byte(raw), filename)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	return v, diags
}

// readVarFile reads one -var-file into vals. Its values may use neither
// references nor functions. An undeclared name is a warning, since one
// variables file often serves several policies.
func (ld *loadRun) readVarFile(name string, vals map[string]*rawValue) hcl.Diagnostics {
	src, err := ld.fsys.readFile(name)
	if err != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read variables file",
			Detail:   fmt.Sprintf("The variables file %q cannot be read: %s. Check the -var-file path, which is relative to the working directory.", name, err),
		}}
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	attrs, simple := hcl.Attributes(nil), false
	switch {
	case strings.HasSuffix(name, ".json"):
		// HCL's JSON parser recurses per level too, and its strings are
		// templates: the same bound applies.
		if d := checkNesting(src, name); d != nil {
			return hcl.Diagnostics{d}
		}
		f, diags = json.Parse(src, name)
	default:
		// The simple reader handles only flat strings and string lists,
		// which cannot nest; anything else goes through parseConfig, which
		// bounds nesting first.
		if attrs, simple = simpleVarFile(src, name); !simple {
			_, f, diags = parseConfig(src, name)
		}
	}
	if !simple && (f == nil || f.Body == nil) {
		return diags
	}
	// Diagnostics quote a file's bytes only; keeping the parsed body
	// would hold a large incident list's syntax tree for the whole run.
	ld.l.parser.AddFile(name, &hcl.File{Bytes: src})
	if !simple {
		var moreDiags hcl.Diagnostics
		attrs, moreDiags = f.Body.JustAttributes()
		diags = append(diags, moreDiags...)
	}

	sorted := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		sorted = append(sorted, a)
	}
	slices.SortFunc(sorted, func(a, b *hcl.Attribute) int { return a.Range.Start.Byte - b.Range.Start.Byte })
	for _, attr := range sorted {
		if ld.vars[attr.Name] == nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail: fmt.Sprintf("The variables file %q sets %q, but the policy declares no variable of that name, so the value is ignored.%s",
					name, attr.Name, didYouMean(attr.Name, mapKeys(ld.vars))),
				Subject: attr.NameRange.Ptr(),
			})
			continue
		}
		v, moreDiags := attr.Expr.Value(nil)
		diags = append(diags, moreDiags...)
		if moreDiags.HasErrors() {
			v = cty.DynamicVal
		}
		vals[attr.Name] = &rawValue{
			val:    v,
			source: fmt.Sprintf("the variables file %q", name),
			rng:    attr.Expr.Range().Ptr(),
		}
		if decl := ld.vars[attr.Name]; decl.sensitive || ld.secretVars[attr.Name] {
			// A diagnostic about this value must not quote it.
			ld.secretRanges = append(ld.secretRanges, attr.Range)
		}
	}
	return diags
}

// convertFast is convert.Convert, except that a tuple going to a list or
// set of a known element type is converted element by element. cty
// converts such a tuple by unifying every element's type with every
// other's (convert.sortTypes), which is quadratic in the length: a
// 100,000-id incident list took a minute to load.
func convertFast(v cty.Value, want cty.Type) (cty.Value, error) {
	ty := v.Type()
	if !ty.IsTupleType() || !(want.IsListType() || want.IsSetType()) ||
		!v.IsWhollyKnown() || v.IsNull() || v.IsMarked() || want.ElementType().HasDynamicTypes() {
		return convert.Convert(v, want)
	}
	ety := want.ElementType()
	if v.LengthInt() == 0 {
		if want.IsListType() {
			return cty.ListValEmpty(ety), nil
		}
		return cty.SetValEmpty(ety), nil
	}
	elems := make([]cty.Value, 0, v.LengthInt())
	for i, it := 0, v.ElementIterator(); it.Next(); i++ {
		_, ev := it.Element()
		cv, err := convertFast(ev, ety)
		if err != nil {
			// NewError flattens a PathError's path into this one.
			return cty.NilVal, cty.Path{cty.IndexStep{Key: cty.NumberIntVal(int64(i))}}.NewError(err)
		}
		elems = append(elems, cv)
	}
	if want.IsListType() {
		return cty.ListVal(elems), nil
	}
	return cty.SetVal(elems), nil
}

// missingVariableDetail says how to set a variable that has no value. A
// saved plan refuses -var and -var-file (its own var-files are reloaded),
// and never stores a sensitive value, so then only the environment can.
func missingVariableDetail(name string, savedPlan bool) string {
	if savedPlan {
		return fmt.Sprintf("The variable %q is not set and has no default value. A saved plan does not store sensitive values, and apply does not take -var or -var-file with a plan file: set it in the environment with %s%s=..., then run the same apply again.",
			name, envVarPrefix, name)
	}
	return fmt.Sprintf("The variable %q is not set and has no default value. Set it with -var=\"%s=...\", in a -var-file, or with the environment variable %s%s.",
		name, name, envVarPrefix, name)
}
