// Package config loads a callctl policy: a directory of *.hcl files naming
// exchanges and the calls that must be ended on them. Like a Terraform
// module, every *.hcl file in the directory (not its subdirectories; not
// hidden files) belongs to one policy, read in name order.
//
// # Blocks
//
//	variable "stuck_calls" {
//	  type        = list(string) # type constraint; default any
//	  default     = []           # without one the variable is required
//	  description = "..."
//	  sensitive   = false        # never stored in plan files; may not feed call_id, reason or for_each
//	}
//
//	exchange "corp" {
//	  url                  = "https://mail.corp.example/EWS/Exchange.asmx" # required, http(s), no user:pass@
//	  dialect              = "ews"          # "ews" (default) or "um2007"
//	  server_version       = "Exchange2010" # ews only (error on um2007); default Exchange2010
//	  ca_file              = "corp-ca.pem"  # relative to the policy directory; "" = system CAs
//	  insecure_skip_verify = false          # true warns on every load
//	  allow_insecure_http  = false          # needed for basic/bearer over http://
//	  auth "ntlm" {                         # ntlm or basic: username, password; bearer: token;
//	    username = "CORP\\svc-callctl"      # kerberos: username (principal) and one of password,
//	    password = env("CALLCTL_PASSWORD")  # keytab or ccache (default KRB5CCNAME), optional
//	  }                                     # krb5_conf and spn (package authkind says which)
//	}
//
//	end_call "bridge_4821" {
//	  exchange       = exchange.corp        # a reference, not a string
//	  call_id        = "OWVl4NWb3N29t"      # opaque: never trimmed
//	  reason         = "stuck bridge"       # optional
//	  only_in_states = ["Connected"]        # optional guard
//	}
//
//	end_call "stuck" {
//	  for_each = toset(var.stuck_calls)     # map, or set or list of strings
//	  exchange = exchange.corp
//	  call_id  = each.value
//	}
//
//	protect "emergency" {                   # calls that must never be ended
//	  call_ids = ["OWVl4NWb3N29t-911"]
//	  patterns = ["911-*"]                  # path.Match globs; "/" is ordinary
//	}
//
//	data "inventory" "dialer" {             # records read at plan time (data.go)
//	  file    = "exports/calls.jsonl"       # inside the policy directory; or:
//	  command = ["./list-calls"]            # argv, no shell, in the policy directory
//	  format  = "jsonl"                     # jsonl | json | csv; default by extension
//	  timeout = "30s"                       # command only
//	}
//
//	locals {
//	  cutoff = timeadd(plantimestamp(), "-30m") # local.cutoff; locals may use each other
//	}
//
// data.inventory.NAME.records is a list of objects, each with the union of
// all records' fields, null where absent (package inventory). Under
// DataSkip (validate) records are unknown and no file or command is read.
// A data block's arguments may use var only; locals may use var, data and
// other locals. plantimestamp() is fixed once per load (PlanTimestamp,
// CALLCTL_PLAN_TIMESTAMP, or now); timestamp, timeadd, timecmp and
// formatdate are Terraform's.
//
// # Expressions
//
// Expressions may refer to var.NAME, and to each.key and each.value in an
// end_call that sets for_each; exchange.NAME is valid only as an end_call's
// exchange argument. Functions are Terraform's usual set from the cty
// standard library (format, join, split, lower, toset, tomap, merge,
// lookup, concat, flatten, regex, replace, jsondecode, csvdecode, ...),
// plus file(path), which reads a UTF-8 file relative to the policy
// directory; env(name[, default]), which reads LoadOptions.Environ and
// yields the default, or "", when name is unset; and try and can.
//
// # for_each
//
// A map or object gives one instance per key (each.value is the element).
// A set of strings gives one per element, with key and value both the
// string. Unlike Terraform, a list or tuple of strings is accepted too and
// treated as the set of its elements (duplicates collapse). Any other value,
// or a collection with non-string elements, is an error. Instances have
// addresses end_call.NAME["key"], the key quoted as an HCL string.
//
// # Variables
//
// Values come from, lowest precedence first: the default, CALLCTL_VAR_NAME
// environment variables, -var-file files in order (HCL "name = value", or
// JSON when the name ends in .json), and -var name=value options in order.
// Like Terraform, command-line and environment values are literal strings
// for an untyped or primitive-typed variable (then converted, so "3" can
// be a number) and HCL expressions for any other type. Only the winning
// value is converted to the declared type. A -var for an undeclared
// variable is an error; a -var-file entry for one is a warning, and
// CALLCTL_VAR_ entries for one are ignored.
//
// # Sensitive values
//
// A sensitive variable's value carries a cty mark through every function
// and operator, as in Terraform, so base64decode(var.pw) is sensitive too.
// Diagnostics never show a marked value, and a function error whose
// arguments are marked does not say why it failed, since the reason often
// quotes the argument. A variable that an auth block's password or token
// reads is sensitive whatever its declaration. A diagnostic that would
// quote a line holding a literal password or token carries SecretInSource
// so that renderers print its location only.
//
// # Limits
//
// HCL sources (policy files, variables files, -var values of complex
// types) nested more than maxNesting levels deep are refused before
// parsing, since the parser recurses once per level; each file contributes
// at most maxDiagsPerFile diagnostics, then one that counts the rest.
//
// # Checks
//
// Beyond the schema, Load reports: a call id declared twice for the same
// exchange; an empty or whitespace-only call id (error) and one with
// surrounding whitespace (warning: ids are opaque, so it is kept verbatim);
// unknown call states; a call that a protect block matches (call_ids
// exactly, patterns with path.Match syntax except that * and ? also match
// "/", since opaque ids may hold one and a guard must not fail open); invalid
// protect patterns; credentials over http:// (basic and bearer need
// allow_insecure_http and still warn, NTLM warns); passwords or tokens
// written as literal strings (warning), empty (error) or read from a
// variable without a value (error, on the auth block, so that no request
// is sent); user names with control characters, often a "\n" meant as a
// domain separator (warning); and call ids with control characters.
// Dialects are matched without regard to case.
package config
