# When one site's exchange is down, the plan fails for its calls only: the
# other site's calls are still looked up, and nothing is disconnected.

mock_exchange "corp" {
  calls = { "dlr-0001" = "Connected" }
}

mock_exchange "lon" {
  fault = "down"
}

mock_data "inventory" "dialer" {
  records = [
    { call_id = "dlr-0001", placed_at = "2026-12-01T10:00:00Z", campaign = "outage-notify", dialled = "+441632960101", site = "corp" },
    { call_id = "dlr-0002", placed_at = "2026-12-01T10:05:00Z", campaign = "outage-notify", dialled = "+441632960102", site = "lon" },
  ]
}

run "lon_down" {
  plan_timestamp  = "2026-12-01T11:00:00Z"
  expect_failures = [exchange.lon]

  assert {
    condition     = [for c in plan.changes : c.call_id] == ["dlr-0001"]
    error_message = "corp's call is still looked up when lon is down"
  }
}

run "apply_refused" {
  command         = apply
  plan_timestamp  = "2026-12-01T11:00:00Z"
  expect_failures = [exchange.lon]

  assert {
    condition     = length(plan.changes) == 1
    error_message = "only corp's call could be looked up"
  }
}
