package policytest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/vocab"
)

// File is one parsed test file.
type File struct {
	// Name is the file's path relative to the policy directory, with
	// forward slashes: what the output shows.
	Name      string
	Exchanges map[string]*MockExchange
	Data      map[string]*MockData // by address, data.inventory.NAME
	Variables map[string]cty.Value
	Runs      []*Run
}

// MockExchange is a mock_exchange block.
type MockExchange struct {
	Name      string
	Calls     map[string]string // call id to state
	Fault     string            // "", "busy", "unauthorized" or "down"
	DeclRange hcl.Range
}

// MockData is a mock_data block: its records as JSON lines.
type MockData struct {
	Address   string
	Records   []byte
	DeclRange hcl.Range
}

// Run is a run block.
type Run struct {
	Name           string
	Command        string // "plan" or "apply"
	PlanTimestamp  time.Time
	Variables      map[string]cty.Value
	Asserts        []*Assert
	ExpectFailures []string // addresses, as written
	DeclRange      hcl.Range
}

// Assert is an assert block.
type Assert struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// Faults a mock exchange can be given.
var faults = []string{"busy", "unauthorized", "down"}

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "mock_exchange", LabelNames: []string{"name"}},
		{Type: "mock_data", LabelNames: []string{"type", "name"}},
		{Type: "variables"},
		{Type: "run", LabelNames: []string{"name"}},
	},
}

var mockExchangeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "calls"}, {Name: "fault"}},
}

var mockDataSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "records", Required: true}},
}

var runSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "command"}, {Name: "plan_timestamp"}, {Name: "expect_failures"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "variables"}, {Type: "assert"}},
}

var assertSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "condition", Required: true}, {Name: "error_message", Required: true}},
}

// ParseFile parses a test file's source; parser keeps it for diagnostics.
func ParseFile(parser *hclparse.Parser, src []byte, filename, name string) (*File, hcl.Diagnostics) {
	f := &File{Name: name, Exchanges: map[string]*MockExchange{}, Data: map[string]*MockData{}, Variables: map[string]cty.Value{}}
	// The policy's parser limits: a hostile file nested thousands deep
	// must not exhaust the stack.
	hf, diags := config.ParseFile(src, filename)
	if hf == nil || hf.Body == nil {
		parser.AddFile(filename, &hcl.File{Bytes: src})
		return f, diags
	}
	parser.AddFile(filename, hf)
	content, moreDiags := hf.Body.Content(fileSchema)
	diags = append(diags, moreDiags...)
	runNames := map[string]hcl.Range{}
	varsSeen := false
	for _, b := range content.Blocks {
		switch b.Type {
		case "mock_exchange":
			m, moreDiags := decodeMockExchange(b)
			diags = append(diags, moreDiags...)
			if first, dup := f.Exchanges[m.Name]; dup {
				diags = append(diags, duplicate("mock_exchange", m.Name, first.DeclRange, b.DefRange))
				continue
			}
			f.Exchanges[m.Name] = m
		case "mock_data":
			m, moreDiags := decodeMockData(b)
			diags = append(diags, moreDiags...)
			if first, dup := f.Data[m.Address]; dup {
				diags = append(diags, duplicate("mock_data", m.Address, first.DeclRange, b.DefRange))
				continue
			}
			if m.Records != nil {
				f.Data[m.Address] = m
			}
		case "variables":
			if varsSeen {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate variables block",
					Detail:   "A test file takes at most one file-level variables block; merge them.",
					Subject:  b.DefRange.Ptr(),
				})
				continue
			}
			varsSeen = true
			diags = append(diags, decodeVariables(b, f.Variables)...)
		case "run":
			r, moreDiags := decodeRun(b)
			diags = append(diags, moreDiags...)
			if first, dup := runNames[r.Name]; dup {
				diags = append(diags, duplicate("run", r.Name, first, b.DefRange))
				continue
			}
			runNames[r.Name] = b.DefRange
			f.Runs = append(f.Runs, r)
		}
	}
	return f, diags
}

func duplicate(kind, name string, first, again hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate " + kind + " block",
		Detail:   fmt.Sprintf("A %s block named %q was already declared at %s. Names must be unique within a test file.", kind, name, first),
		Subject:  again.Ptr(),
	}
}

func decodeMockExchange(b *hcl.Block) (*MockExchange, hcl.Diagnostics) {
	m := &MockExchange{Name: b.Labels[0], Calls: map[string]string{}, DeclRange: b.DefRange}
	content, diags := b.Body.Content(mockExchangeSchema)
	if attr, ok := content.Attributes["calls"]; ok {
		v, moreDiags := literal(attr, cty.Map(cty.String))
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() && !v.IsNull() {
			for k, st := range v.AsValueMap() {
				if st.IsNull() {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid call state",
						Detail:   fmt.Sprintf("The state of call %q is null. Give a state such as \"Connected\" or \"Disconnected\", or leave the call out to mock an id the exchange does not know.", k),
						Subject:  attr.Expr.Range().Ptr(),
					})
					continue
				}
				s := st.AsString()
				if !slices.Contains(vocab.States(), s) {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagWarning,
						Summary:  "Unknown call state",
						Detail:   fmt.Sprintf("Call %q has state %q, which neither dialect documents; callctl treats such a call as live.%s Known states: %s.", k, s, suggest(s, vocab.States()), strings.Join(vocab.States(), ", ")),
						Subject:  attr.Expr.Range().Ptr(),
					})
				}
				m.Calls[k] = s
			}
		}
	}
	if attr, ok := content.Attributes["fault"]; ok {
		v, moreDiags := literal(attr, cty.String)
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() && !v.IsNull() {
			m.Fault = v.AsString()
			if !slices.Contains(faults, m.Fault) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid fault",
					Detail:   fmt.Sprintf("The fault %q is not one a mock exchange can have. Use \"busy\", \"unauthorized\" or \"down\".%s", m.Fault, suggest(m.Fault, faults)),
					Subject:  attr.Expr.Range().Ptr(),
				})
				m.Fault = ""
			}
		}
	}
	return m, diags
}

func decodeMockData(b *hcl.Block) (*MockData, hcl.Diagnostics) {
	m := &MockData{Address: "data." + b.Labels[0] + "." + b.Labels[1], DeclRange: b.DefRange}
	var diags hcl.Diagnostics
	if b.Labels[0] != "inventory" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid data source type",
			Detail:   fmt.Sprintf("%q is not a data source type; callctl has only \"inventory\".", b.Labels[0]),
			Subject:  b.LabelRanges[0].Ptr(),
		})
	}
	content, moreDiags := b.Body.Content(mockDataSchema)
	diags = append(diags, moreDiags...)
	attr, ok := content.Attributes["records"]
	if !ok || diags.HasErrors() {
		return m, diags
	}
	v, moreDiags := literal(attr, cty.DynamicPseudoType)
	diags = append(diags, moreDiags...)
	if moreDiags.HasErrors() {
		return m, diags
	}
	bad := func(why string) hcl.Diagnostics {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid mock records",
			Detail:   "The records argument must be a list of objects, like [{ call_id = \"c-1\" }]: " + why + ".",
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	ty := v.Type()
	if v.IsNull() || !(ty.IsTupleType() || ty.IsListType() || ty.IsSetType()) {
		return m, bad("it is " + ty.FriendlyName())
	}
	var lines []byte
	for it := v.ElementIterator(); it.Next(); {
		_, el := it.Element()
		if el.IsNull() || !(el.Type().IsObjectType() || el.Type().IsMapType()) {
			return m, bad("an element is " + el.Type().FriendlyName())
		}
		b, err := ctyjson.SimpleJSONValue{Value: el}.MarshalJSON()
		if err != nil {
			return m, bad(err.Error())
		}
		lines = append(append(lines, b...), '\n')
	}
	if lines == nil {
		lines = []byte{}
	}
	m.Records = lines
	return m, diags
}

func decodeVariables(b *hcl.Block, into map[string]cty.Value) hcl.Diagnostics {
	attrs, diags := b.Body.JustAttributes()
	for name, attr := range attrs {
		v, moreDiags := literal(attr, cty.DynamicPseudoType)
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() {
			into[name] = v
		}
	}
	return diags
}

func decodeRun(b *hcl.Block) (*Run, hcl.Diagnostics) {
	r := &Run{Name: b.Labels[0], Command: "plan", Variables: map[string]cty.Value{}, DeclRange: b.DefRange}
	content, diags := b.Body.Content(runSchema)
	if attr, ok := content.Attributes["command"]; ok {
		cmd := hcl.ExprAsKeyword(attr.Expr)
		if cmd == "" {
			if v, d := attr.Expr.Value(nil); !d.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
				cmd = v.AsString()
			}
		}
		if cmd != "plan" && cmd != "apply" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid run command",
				Detail:   "The command of a run is plan (the default) or apply, written as a bare word: command = apply." + suggest(cmd, []string{"plan", "apply"}),
				Subject:  attr.Expr.Range().Ptr(),
			})
		} else {
			r.Command = cmd
		}
	}
	if attr, ok := content.Attributes["plan_timestamp"]; ok {
		v, moreDiags := literal(attr, cty.String)
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() && !v.IsNull() {
			t, err := time.Parse(time.RFC3339, v.AsString())
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid plan_timestamp",
					Detail:   fmt.Sprintf("The plan_timestamp %q is not an RFC 3339 instant; write it like \"2026-12-01T11:00:00Z\".", v.AsString()),
					Subject:  attr.Expr.Range().Ptr(),
				})
			} else {
				r.PlanTimestamp = t
			}
		}
	}
	if attr, ok := content.Attributes["expect_failures"]; ok {
		exprs, moreDiags := hcl.ExprList(attr.Expr)
		diags = append(diags, moreDiags...)
		for _, e := range exprs {
			addr, moreDiags := checkableAddress(e)
			diags = append(diags, moreDiags...)
			if addr != "" {
				r.ExpectFailures = append(r.ExpectFailures, addr)
			}
		}
	}
	varsSeen := false
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "variables":
			if varsSeen {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate variables block",
					Detail:   "A run takes at most one variables block; merge them.",
					Subject:  blk.DefRange.Ptr(),
				})
				continue
			}
			varsSeen = true
			diags = append(diags, decodeVariables(blk, r.Variables)...)
		case "assert":
			ac, moreDiags := blk.Body.Content(assertSchema)
			diags = append(diags, moreDiags...)
			if moreDiags.HasErrors() {
				continue
			}
			r.Asserts = append(r.Asserts, &Assert{
				Condition:    ac.Attributes["condition"].Expr,
				ErrorMessage: ac.Attributes["error_message"].Expr,
				DeclRange:    blk.DefRange,
			})
		}
	}
	return r, diags
}

// checkableAddress turns an expect_failures element into an address.
func checkableAddress(e hcl.Expression) (string, hcl.Diagnostics) {
	tr, diags := hcl.AbsTraversalForExpr(e)
	bad := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid expect_failures entry",
		Detail:   "Each entry of expect_failures names a checkable object of the policy: var.NAME, exchange.NAME, end_call.NAME, protect.NAME or data.inventory.NAME.",
		Subject:  e.Range().Ptr(),
	}
	if diags.HasErrors() {
		return "", hcl.Diagnostics{bad}
	}
	var parts []string
	for _, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, s.Name)
		case hcl.TraverseAttr:
			parts = append(parts, s.Name)
		default:
			return "", hcl.Diagnostics{bad}
		}
	}
	want := 2
	switch parts[0] {
	case "var", "exchange", "end_call", "protect":
	case "data":
		want = 3
	default:
		bad.Detail += suggest(parts[0], []string{"var", "exchange", "end_call", "protect", "data"})
		return "", hcl.Diagnostics{bad}
	}
	if len(parts) != want {
		return "", hcl.Diagnostics{bad}
	}
	return strings.Join(parts, "."), nil
}

// literal evaluates a test file argument, which may use no references or
// functions, and converts it to want.
func literal(attr *hcl.Attribute, want cty.Type) (cty.Value, hcl.Diagnostics) {
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		for _, d := range diags {
			if d.Summary == "Variables not allowed" || d.Summary == "Function calls not allowed" {
				d.Detail += " Test file values are literals; assertions may use var, local, data, plan and apply."
			}
		}
		return cty.DynamicVal, diags
	}
	if !v.IsWhollyKnown() {
		// Only an expression that did not parse (reported with the
		// file) has no known value here.
		return cty.DynamicVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value",
			Detail:   fmt.Sprintf("The argument %q has no usable value. Test file values are literals.", attr.Name),
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	if want == cty.DynamicPseudoType {
		return v, nil
	}
	cv, err := convertTo(v, want)
	if err != nil {
		return cty.DynamicVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("Inappropriate value for argument %q: %s.", attr.Name, err),
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	return cv, nil
}
