package config

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/callctl/callctl/authkind"
)

// checkCredential judges one evaluated auth argument before any request
// is made: an empty secret would be sent as is and fail the login, and
// a failed login counts toward locking the service account.
func checkCredential(exchange string, b *hcl.Block, as authkind.Attribute, attr *hcl.Attribute, s string) hcl.Diagnostics {
	if as.Account {
		return checkUsername(exchange, attr, s)
	}
	if !as.Secret || s != "" {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Empty %s", attr.Name),
		Detail: fmt.Sprintf("The %s of exchange %q (set at %s) is empty%s. Sending it would only fail the login, which counts toward locking the account; set the value.",
			attr.Name, exchange, shortRange(attr.Expr.Range()), emptySource(attr.Expr)),
		Subject: b.DefRange.Ptr(),
	}}
}

// emptySource says where an empty value most likely came from: an unset
// environment variable read by env(), or a variable.
func emptySource(expr hcl.Expression) string {
	var envs []string
	if se, ok := expr.(hclsyntax.Expression); ok {
		_ = hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
			call, ok := n.(*hclsyntax.FunctionCallExpr)
			if !ok || call.Name != "env" || len(call.Args) == 0 {
				return nil
			}
			if v, diags := call.Args[0].Value(nil); !diags.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type().FriendlyName() == "string" {
				envs = append(envs, v.AsString())
			}
			return nil
		})
	}
	var vars []string
	for _, tr := range expr.Variables() {
		if tr.RootName() == "var" {
			vars = append(vars, traversalString(tr))
		}
	}
	switch {
	case len(envs) > 0:
		return fmt.Sprintf(": the environment variable %s is unset or empty", strings.Join(envs, ", "))
	case len(vars) > 0:
		return fmt.Sprintf(": %s is empty", strings.Join(vars, ", "))
	}
	return ""
}

// checkUsername warns about a user name holding a control character.
// HCL reads a backslash as an escape, so "CORP\nancy" holds a newline
// and "CORP\alice" does not parse: a domain user name needs "CORP\\alice".
func checkUsername(exchange string, attr *hcl.Attribute, s string) hcl.Diagnostics {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "Control character in user name",
		Detail: fmt.Sprintf("The username of exchange %q, %q, holds a control character. In an HCL string a backslash starts an escape, so \"CORP\\nancy\" holds a newline: write a domain user name with a doubled backslash, as in \"CORP\\\\nancy\".",
			exchange, s),
		Subject: attr.Expr.Range().Ptr(),
	}}
}

// backslashHint adds, to HCL's "Invalid escape sequence" errors, how to
// write the backslash of a domain user name.
func backslashHint(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Summary == "Invalid escape sequence" && !strings.Contains(d.Detail, `\\`) {
			d.Detail += ` To write a backslash, as in a domain user name, double it: "CORP\\alice".`
		}
	}
}

// unsetCredential says, on the auth block, that its password or token
// reads a variable that has no value. The variable's own error says how
// to set it; this one says what it is for, so that the operator knows no
// request will be sent with an empty secret.
func (ld *loadRun) unsetCredential(exchange string, b *hcl.Block, attr *hcl.Attribute) hcl.Diagnostics {
	if ld.opts.Offline {
		return nil // no request is sent offline
	}
	var unset []string
	for _, tr := range attr.Expr.Variables() {
		if tr.RootName() != "var" || len(tr) < 2 {
			continue
		}
		a, ok := tr[1].(hcl.TraverseAttr)
		if !ok || ld.varVal.IsNull() || !ld.varVal.Type().IsObjectType() || !ld.varVal.Type().HasAttribute(a.Name) {
			continue
		}
		if !ld.varVal.GetAttr(a.Name).IsKnown() {
			unset = append(unset, "var."+a.Name)
		}
	}
	if len(unset) == 0 {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("No %s for exchange", attr.Name),
		Detail: fmt.Sprintf("The %s of exchange %q reads %s, which has no value, so no request will be sent to it. Set the variable as its own error says.",
			attr.Name, exchange, strings.Join(unset, ", ")),
		Subject: b.DefRange.Ptr(),
	}}
}
