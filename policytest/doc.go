// Package policytest runs callctl's test files, *.calltest.hcl, against a
// policy with no network access at all: each exchange the policy uses is
// replaced by a mock at the soap.Caller interface, and data sources may be
// replaced by mock records.
//
//	mock_exchange "corp" {                 # stands in for exchange.corp
//	  calls = { "c-1" = "Connected" }      # other ids: not found
//	  fault = "busy"                       # optional: busy, unauthorized, down
//	}
//	mock_data "inventory" "dialer" {       # replaces data.inventory.dialer's records
//	  records = [{ call_id = "c-1" }]
//	}
//	variables { desk = "emergency" }       # file level; a run's own override them
//	run "ends_stale_calls" {
//	  command         = plan               # plan (default) or apply
//	  plan_timestamp  = "2026-12-01T11:00:00Z"
//	  variables { max_age = "30m" }
//	  expect_failures = [protect.emergency]
//	  assert {
//	    condition     = length(plan.changes) == 1
//	    error_message = "..."
//	  }
//	}
//
// A data source that runs a command must be mocked: a test runs no
// command. One that reads a file is read as plan reads it.
//
// Runs of one file share its mocks: an apply run's disconnects are seen by
// the runs after it. Assertions see var, local and data as the policy does,
// plan.changes (address, name, key, call_id, exchange, action, state,
// reason, cause) and, after command = apply, apply.results (address,
// call_id, exchange, outcome, error).
//
// expect_failures lists checkable objects (var.NAME, exchange.NAME,
// end_call.NAME, protect.NAME, data.inventory.NAME) whose errors the run
// expects: an error inside such a block, a lookup or disconnect failure on
// such an exchange or call, or a protect hit. The run then passes if every
// error was expected and every listed object had one; assertions are still
// checked against whatever plan could be made.
package policytest
