package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/soap"
)

// The dialects and auth kinds an exchange block accepts are soap's and
// authkind's registries; nothing here spells one.
const defaultDialect = soap.DefaultDialect

var exchangeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "url"},
		{Name: "dialect"},
		{Name: "server_version"},
		{Name: "ca_file"},
		{Name: "insecure_skip_verify"},
		{Name: "allow_insecure_http"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "auth", LabelNames: []string{"kind"}}},
}

// authSchema is the body schema of an auth block of kind k.
func authSchema(k *authkind.Kind) *hcl.BodySchema {
	schema := &hcl.BodySchema{}
	for _, a := range k.Attributes {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: a.Name})
	}
	return schema
}

// decodeExchanges adds every exchange block to pol.Exchanges, including
// ones with errors, so that references to them do not cascade into
// "undeclared exchange" errors.
func (ld *loadRun) decodeExchanges(blocks []*hcl.Block, pol *Policy) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		ex, moreDiags := ld.decodeExchange(b)
		diags = append(diags, moreDiags...)
		pol.Exchanges[ex.Name] = ex
	}
	return diags
}

func (ld *loadRun) decodeExchange(b *hcl.Block) (*Exchange, hcl.Diagnostics) {
	ex := &Exchange{
		Name:          b.Labels[0],
		Dialect:       defaultDialect,
		ServerVersion: soap.LookupDialect(defaultDialect).ServerVersions()[0],
		DeclRange:     b.DefRange,
	}
	content, diags := b.Body.Content(exchangeSchema)
	attrs := content.Attributes

	var u *url.URL
	if attr, ok := attrs["url"]; !ok {
		diags = append(diags, missingArgument("exchange", ex.Name, "url",
			`the exchange's web service endpoint, such as "https://mail.example.com/EWS/Exchange.asmx"`, b))
	} else if s, ok, moreDiags := ld.evalString(attr, nil); !ok {
		diags = append(diags, moreDiags...)
	} else {
		diags = append(diags, moreDiags...)
		ex.URL = s
		u, moreDiags = checkURL(ex.Name, s, attr, ld.isSensitive(attr))
		diags = append(diags, moreDiags...)
	}

	if attr, ok := attrs["dialect"]; ok {
		s, ok, moreDiags := ld.evalString(attr, nil)
		diags = append(diags, moreDiags...)
		if ok {
			// "EWS" is how the protocol is usually written; the dialect
			// names are not case-sensitive.
			if lower := strings.ToLower(s); soap.LookupDialect(lower) != nil {
				s = lower
			}
			diags = append(diags, checkEnum(attr, s, "dialect", soap.DialectNames(), ld.isSensitive(attr))...)
			ex.Dialect = s
		}
	}

	// A dialect without server versions (um2007) has no version header;
	// an unknown dialect has been reported above.
	dialect := soap.LookupDialect(ex.Dialect)
	var versions []string
	if dialect != nil {
		versions = dialect.ServerVersions()
	}
	if attr, ok := attrs["server_version"]; ok {
		s, ok, moreDiags := ld.evalString(attr, nil)
		diags = append(diags, moreDiags...)
		switch {
		case dialect != nil && len(versions) == 0:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Server version meaningless for " + dialect.Name(),
				Detail: fmt.Sprintf("Exchange %q uses dialect %q, whose web service has no version header, so server_version is meaningless for it. Remove server_version, or use dialect %s.",
					ex.Name, dialect.Name(), versionedDialects()),
				Subject: attr.Range.Ptr(),
			})
		case ok && dialect != nil:
			diags = append(diags, checkEnum(attr, s, "server version", sortedVersions(versions), ld.isSensitive(attr))...)
			ex.ServerVersion = s
		}
	}
	if dialect != nil && len(versions) == 0 {
		ex.ServerVersion = ""
	}

	if attr, ok := attrs["ca_file"]; ok {
		s, ok, moreDiags := ld.evalString(attr, nil)
		diags = append(diags, moreDiags...)
		// An empty ca_file (env("EXCHANGE_CA") left unset, a variable
		// defaulting to "") means the system's trusted CAs, so one policy
		// serves a site with a private CA and a plain-http test bed.
		if ok && s != "" {
			ex.CAFile = ld.fsys.join(ld.dir, s)
			if _, err := ld.fsys.stat(ex.CAFile); err != nil {
				detail := fmt.Sprintf("The ca_file %q of exchange %q cannot be read: %s. The path is relative to the policy directory.", s, ex.Name, err)
				if ld.isSensitive(attr) {
					// The error names the path too.
					detail = fmt.Sprintf("The ca_file of exchange %q, derived from a sensitive variable, cannot be read. The path is relative to the policy directory; a CA file's name is not secret, so give it without the sensitive variable.", ex.Name)
				}
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Cannot read CA file",
					Detail:   detail,
					Subject:  attr.Expr.Range().Ptr(),
				})
			}
		}
	}

	if attr, ok := attrs["insecure_skip_verify"]; ok {
		v, ok, moreDiags := ld.evalBool(attr, nil)
		diags = append(diags, moreDiags...)
		ex.InsecureSkipVerify = ok && v
		if ex.InsecureSkipVerify {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "TLS certificate verification disabled",
				Detail: fmt.Sprintf("Exchange %q sets insecure_skip_verify = true, so any certificate is accepted and a machine in the middle can read credentials and end calls. Trust a private CA with ca_file instead.",
					ex.Name),
				Subject: attr.Range.Ptr(),
			})
		}
	}

	if attr, ok := attrs["allow_insecure_http"]; ok {
		v, ok, moreDiags := ld.evalBool(attr, nil)
		diags = append(diags, moreDiags...)
		ex.AllowInsecureHTTP = ok && v
	}

	for _, ab := range content.Blocks {
		if ex.Auth != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate auth block",
				Detail: fmt.Sprintf("Exchange %q already has an auth block at %s. An exchange takes at most one; remove the other.",
					ex.Name, shortRange(ex.Auth.DeclRange)),
				Subject: ab.DefRange.Ptr(),
			})
			continue
		}
		auth, moreDiags := ld.decodeAuth(ex.Name, ab)
		diags = append(diags, moreDiags...)
		ex.Auth = auth
	}

	if u != nil && u.Scheme == "http" && ex.Auth != nil {
		diags = append(diags, checkPlainHTTP(ex, ld.isSensitive(attrs["url"]))...)
	}
	return ex, diags
}

// checkURL accepts only absolute http(s) URLs without credentials in
// them, since the URL is printed in plans and logs.
func checkURL(exchange, s string, attr *hcl.Attribute, sensitive bool) (*url.URL, hcl.Diagnostics) {
	u, err := url.Parse(s)
	bad := ""
	switch {
	case err != nil:
		bad = err.Error()
	case u.Scheme != "http" && u.Scheme != "https":
		bad = "it must start with https:// (or http://)"
	case u.Host == "":
		bad = "it has no host name"
	case u.User != nil:
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Credentials in exchange URL",
			Detail:   fmt.Sprintf("The url of exchange %q contains a user name or password, which would be shown in plans and logs. Remove them from the URL and use an auth block.", exchange),
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	if bad != "" {
		hint := ""
		if strings.HasPrefix(s, "/") || s == "" {
			// Typically "${env("EWS_HOST")}/EWS/Exchange.asmx" with the
			// variable unset.
			hint = " The url starts with a path: if it is built from env() or a variable, that value is empty; set it."
		}
		quoted := fmt.Sprintf("%q", s)
		if sensitive {
			quoted, bad = "(sensitive)", "it is not an absolute http(s) URL"
		}
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid exchange URL",
			Detail:   fmt.Sprintf("The url %s of exchange %q is not usable: %s.%s Give the full endpoint URL, such as \"https://mail.example.com/EWS/Exchange.asmx\".", quoted, exchange, bad, hint),
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	return u, nil
}

// checkPlainHTTP judges credentials sent over http://. Kinds that put a
// replayable secret on the wire (authkind.Kind.SecretOnWire: Basic,
// bearer) need an explicit opt-in and still warn; the others (NTLM) send
// no password but their handshake can be relayed. sensitiveURL: the URL
// was derived from a sensitive variable and is not quoted.
func checkPlainHTTP(ex *Exchange, sensitiveURL bool) hcl.Diagnostics {
	shown := fmt.Sprintf("%q", ex.URL)
	if sensitiveURL {
		shown = "its URL (derived from a sensitive variable)"
	}
	switch {
	case !authkind.Lookup(ex.Auth.Kind).SecretOnWire:
		return hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  strings.ToUpper(ex.Auth.Kind) + " over plain HTTP",
			Detail: fmt.Sprintf("Exchange %q uses %s over a plain http:// URL. %s does not send the password, but an attacker on the path can relay the handshake and read every call id. Use an https:// URL.",
				ex.Name, strings.ToUpper(ex.Auth.Kind), strings.ToUpper(ex.Auth.Kind)),
			Subject: ex.Auth.DeclRange.Ptr(),
		}}
	case ex.AllowInsecureHTTP:
		return hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Credentials over plain HTTP",
			Detail: fmt.Sprintf("Exchange %q sends its %s credentials in clear text to %s, as allow_insecure_http = true permits. Use an https:// URL unless the network path is trusted.",
				ex.Name, ex.Auth.Kind, shown),
			Subject: ex.Auth.DeclRange.Ptr(),
		}}
	default:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Credentials over plain HTTP",
			Detail: fmt.Sprintf("Exchange %q would send its %s credentials in clear text to %s. Use an https:// URL, or set allow_insecure_http = true if the network path is trusted.",
				ex.Name, ex.Auth.Kind, shown),
			Subject: ex.Auth.DeclRange.Ptr(),
		}}
	}
}

func (ld *loadRun) decodeAuth(exchange string, b *hcl.Block) (*Auth, hcl.Diagnostics) {
	auth := &Auth{Kind: b.Labels[0], Credentials: authkind.Credentials{}, DeclRange: b.DefRange}
	kind := authkind.Lookup(auth.Kind)
	if kind == nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid authentication kind",
			Detail: fmt.Sprintf("%q is not an authentication kind. Use %s, or omit the auth block for none.%s",
				auth.Kind, authkind.OrList(authkind.Names(), true), didYouMean(auth.Kind, authkind.Names())),
			Subject: b.LabelRanges[0].Ptr(),
		}}
	}
	content, diags := b.Body.Content(authSchema(kind))
	for _, as := range kind.Attributes {
		attr, ok := content.Attributes[as.Name]
		if !ok {
			if !as.Optional {
				diags = append(diags, missingArgument("auth", auth.Kind, as.Name, as.Doc, b))
			}
			continue
		}
		s, ok, moreDiags := ld.evalString(attr, nil)
		diags = append(diags, moreDiags...)
		if !ok {
			if !moreDiags.HasErrors() && as.Secret {
				diags = append(diags, ld.unsetCredential(exchange, b, attr)...)
			}
			continue
		}
		diags = append(diags, checkCredential(exchange, b, as, attr, s)...)
		if as.Secret && !isLiteralString(attr.Expr) {
			// A literal is in the policy files for all to read (and
			// warned about below); masking it would only garble text
			// where a test's "token" is an ordinary word.
			ld.secrets.Add(s)
		}
		if as.Path && s != "" {
			// Relative to the policy directory, as ca_file is; read
			// when a client logs in, never here.
			s = ld.fsys.join(ld.dir, s)
		}
		auth.Credentials[as.Name] = s
		if as.Secret && s != "" && isLiteralString(attr.Expr) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  fmt.Sprintf("Literal %s in policy", as.Name),
				Detail: fmt.Sprintf("The %s of exchange %q is written as a literal string at %s, so it is stored wherever the policy is. Read it with env(\"CALLCTL_%s\") or from a sensitive variable instead.",
					as.Name, exchange, shortRange(attr.Expr.Range()), strings.ToUpper(as.Name)),
				Subject: attr.Expr.Range().Ptr(),
				// The line holds the secret: never quote it.
				Extra: SecretInSource{},
			})
			ld.secretRanges = append(ld.secretRanges, attr.Expr.Range())
		}
	}
	return auth, diags
}

// checkEnum reports a value outside valid, suggesting the closest one.
func checkEnum(attr *hcl.Attribute, got, what string, valid []string, sensitive bool) hcl.Diagnostics {
	for _, v := range valid {
		if got == v {
			return nil
		}
	}
	quoted, hint := fmt.Sprintf("%q", got), didYouMean(got, valid)
	if hint == "" {
		hint = didYouMean(strings.ToLower(got), valid)
	}
	if sensitive {
		quoted, hint = "The value, which is sensitive,", ""
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + what,
		Detail:   fmt.Sprintf("%s is not a valid %s. Valid values are %s.%s", quoted, what, quotedList(valid), hint),
		Subject:  attr.Expr.Range().Ptr(),
	}}
}

// missingArgument is the error for a required argument that is absent,
// pointing at the block header.
func missingArgument(blockType, name, arg, what string, b *hcl.Block) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Missing required argument",
		Detail:   fmt.Sprintf("The %s block %q has no %q argument. Set %s to %s.", blockType, name, arg, arg, what),
		Subject:  b.DefRange.Ptr(),
	}
}

func quotedList(vals []string) string {
	s := ""
	for i, v := range vals {
		switch {
		case i == 0:
		case i == len(vals)-1:
			s += " and "
		default:
			s += ", "
		}
		s += fmt.Sprintf("%q", v)
	}
	return s
}

// versionedDialects lists, quoted, the dialects that take server_version.
func versionedDialects() string {
	var names []string
	for _, d := range soap.Dialects() {
		if len(d.ServerVersions()) > 0 {
			names = append(names, d.Name())
		}
	}
	return authkind.OrList(names, true)
}

// sortedVersions lists server versions oldest first, as messages do; a
// dialect lists its default first.
func sortedVersions(versions []string) []string {
	out := slices.Clone(versions)
	slices.Sort(out)
	return out
}
