# One plan covers both sites; the same id on two exchanges is two calls.

mock_exchange "eu" {
  calls = { "shared-id" = "Connected" }
}

mock_exchange "us_legacy" {
  calls = { "shared-id" = "Disconnected", "us-only" = "Connected" }
}

variables {
  eu_calls = ["shared-id"]
  us_calls = ["shared-id", "us-only"]
}

run "both_sites" {
  assert {
    condition     = length(plan.changes) == 3
    error_message = "the shared id is two calls, one per exchange"
  }
  assert {
    condition     = [for c in plan.changes : "${c.exchange}/${c.call_id}" if c.action == "disconnect"] == ["eu/shared-id", "us_legacy/us-only"]
    error_message = "each site's live calls are ended on that site"
  }
}
