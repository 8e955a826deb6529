package command

var helps = map[string]string{
	"plan": `Usage: callctl [-chdir=DIR] plan [options]

Looks every call the policy declares up on its exchange and shows which would
be disconnected. Changes nothing.

Options:
  -var 'NAME=VALUE'     Set a variable (repeatable)
  -var-file=FILE        Load variables from FILE (repeatable; -var and -var-file
                        apply in command-line order, a later one winning)
  -parallelism=N        Requests in flight per exchange (default 10)
  -target=ADDR          Only consider this call, e.g. end_call.stuck["abc"] (repeatable)
  -exclude=ADDR         Never consider this call (repeatable)
  -max-disconnects=N    Fail if the plan would disconnect more than N calls (default -1: no cap)
  -not-found=warn|error A call id the exchange does not know (already ended, expired,
                        or a wrong id): warn and go on (default), or error, which
                        refuses the plan (exit 1) and disconnects nothing
  -timeout=DUR          Give up on one request after this long; it is retried, up to
                        8 attempts in all (default 8s)
  -deadline=DUR         Give up on the whole run after this long (default: none)
  -max-backoff=DUR      Fail calls the server asks to wait longer than this (default 5m;
                        0: never wait out a server-advised back-off)
  -out=FILE             Save the plan, to apply exactly it later
  -detailed-exitcode    Exit 0 with no changes, 1 on error, 2 with changes
  -json                 Print newline-delimited JSON messages
  -no-color             No colour (also NO_COLOR, or when stdout is not a terminal)
`,
	"apply": `Usage: callctl [-chdir=DIR] apply [options] [PLANFILE]

Makes a fresh plan, shows it, asks for confirmation and disconnects the calls
it names. With PLANFILE, applies that saved plan without asking, re-checking
each call just before its disconnect.

Options:
  -auto-approve         Do not ask for confirmation
  -lock-timeout=DUR     Wait this long for another apply on this policy to finish (default 0s)
  -journal=FILE         Record every disconnect in FILE (default .callctl/journal.jsonl)
  -state-dir=DIR        Keep the apply lock and the default journal in DIR, not .callctl/
                        (the policy directory may then be read-only)
  -watch=INTERVAL       Apply again every INTERVAL (e.g. 1m) until interrupted; needs
                        -auto-approve. One line per cycle; a failed cycle is retried
  -metrics-addr=ADDR    With -watch, serve Prometheus /metrics and the /livez and
                        /readyz probes on ADDR (e.g. 127.0.0.1:9464; :9464 is every
                        interface)
  -metrics-web-config=FILE
                        TLS and basic auth for -metrics-addr (Prometheus web config)
  -var, -var-file, -parallelism, -target, -exclude, -max-disconnects,
  -not-found, -timeout, -deadline, -max-backoff, -json, -no-color
                        As for plan

The summary says "Apply complete!" only when nothing failed; otherwise "Apply
partly failed!", "Apply failed!", "Apply interrupted!" or "Apply abandoned!"
(a second Ctrl-C: disconnects in flight are "sent, outcome unknown").
With -not-found=error, a call not found refuses the apply before any disconnect.

Exit codes: 0 all done, 1 error (nothing or nothing successfully disconnected),
4 partial failure (some calls failed, were not started, or were sent with
outcome unknown), 5 confirmation declined.
`,
	"validate": `Usage: callctl [-chdir=DIR] validate [options]

Checks the policy in the current directory without contacting any exchange.

Options:
  -var, -var-file       As for plan
  -json                 Print the result as JSON
  -no-color             No colour
`,
	"test": `Usage: callctl [-chdir=DIR] test [options]

Runs the policy's test files, *.calltest.hcl in the policy directory and its
tests/ subdirectory, against mock exchanges and mock data: no network access
at all. Each run block plans (or applies) against the mocks and checks its
assert blocks against plan.changes and apply.results.

Options:
  -filter=FILE   Run only this test file, as test prints it (repeatable)
  -verbose       Print each run's plan
  -json          Print newline-delimited JSON messages
  -no-color      No colour

Exit codes: 0 every run passed, 1 a run failed or could not be carried out.
`,
	"version": `Usage: callctl version [-json]

Shows callctl's version; with -json, a document with callctl_version,
platform and go_version.
`,
	"console": `Usage: callctl [-chdir=DIR] console [options]

Evaluates expressions against the policy: var.NAME, local.NAME,
data.inventory.NAME.records (read as plan reads them) and the functions,
plantimestamp() included. Never contacts an exchange. On a terminal it reads
expressions interactively, with history (up and down arrows), until exit or
Ctrl-D; otherwise one expression per line from standard input:

  echo 'length(data.inventory.dialer.records)' | callctl console

Unset variables and env() are not known (as for validate); sensitive values
print as (sensitive value).

Options:
  -var, -var-file       As for plan
  -no-color             No colour

Exit codes: 0, or 1 when an expression (piped input) could not be evaluated.
`,
	"fmt": `Usage: callctl [-chdir=DIR] fmt [options] [PATH...]
       callctl fmt [-check] -

Rewrites *.hcl files in the canonical format. With -, reads HCL from
standard input and writes its canonical form to standard output (with
-check, writes nothing and exits 3 if it is not in canonical form).

Options:
  -check       Write nothing; exit 3 if any file needs formatting
  -diff        Show the changes
  -recursive   Also process subdirectories
  -list=false  Do not list the files changed
  -write=false Do not write files
`,
	"show": `Usage: callctl [-chdir=DIR] show [options] PLANFILE
       callctl [-chdir=DIR] show -journal [FILE]

Prints a saved plan as plan printed it, or the apply journal as a table.

Options:
  -json              Print the plan, or with -journal the journal, as a JSON
                     document (format_version 1.0)
  -format=markdown   Render a plan for a pull-request comment (not with -json
                     or -journal: conflicting flags are an error)
  -no-color          No colour
`,
}

func helpFor(cmd string) string {
	if h, ok := helps[cmd]; ok {
		return h
	}
	return usage
}
