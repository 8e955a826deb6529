// Package authkind is the registry of the ways callctl authenticates to
// an exchange: one Kind per `auth "KIND" { ... }` block label. A Kind says
// everything the rest of callctl needs to know about it, so that no other
// package spells an auth kind or one of its arguments:
//
//   - its HCL schema (Attributes): which arguments the block takes, which
//     are optional, which are secrets (package config marks what they read
//     sensitive, refuses them empty, warns when they are literals; package
//     planfile never stores them), which are account names (config warns
//     about control characters) and which are fingerprinted (planfile binds
//     a saved plan to them, so that a changed identity needs a new plan);
//   - whether it authenticates a connection rather than a request
//     (ConnectionBound: package soap then pins one connection per lane and
//     counts one handshake per connection, as NTLM needs);
//   - whether it binds its logins to the TLS channel (ChannelBound:
//     Extended Protection; soap adds the binding and names the certificate
//     on a refusal);
//   - whether it puts a replayable secret on every request (SecretOnWire:
//     refused over plain http:// unless allow_insecure_http = true);
//   - the transport to build (Transport), and, for a kind whose
//     connections share a login (Kerberos: one ticket-granting ticket per
//     run), a Session built once per client (NewSession);
//   - which arguments name files (Path: taken from the policy directory,
//     read only when logging in).
//
// A transport that fails to log in before any HTTP answer (a KDC's
// refusal) returns a LoginError, which soap classifies as a refusal (the
// exchange is given up, never retried) or as transient.
//
// # Adding a kind
//
// Write one file, authkind/NAME.go, holding a const with the kind's name
// and an init function that calls Register with its Kind; add NAME_test.go
// with its tests. Nothing else has to change: the config schema and its
// messages ("Use "ntlm", "basic" or ..."), the fingerprint of saved plans,
// the client's transport and its connection pinning all read the registry.
// Kinds are listed in the order they are registered: the built-in ones
// first, then the others in the order of their files' names.
//
// The simulator (package exchsim) verifies credentials server-side for the
// kinds it simulates; a kind it does not simulate needs nothing there.
package authkind
