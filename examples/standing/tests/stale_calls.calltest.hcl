# What the standing policy selects, checked with no exchange and no secrets:
# callctl test (run in CI by the examples' test).

mock_exchange "corp" {
  calls = {
    "dlr-0001" = "Connected"
    "dlr-0003" = "Connected"
    "dlr-0901" = "Connected"
  }
}

mock_exchange "lon" {
  calls = { "dlr-0002" = "Disconnected" }
}

mock_data "inventory" "dialer" {
  records = [
    { call_id = "dlr-0001", placed_at = "2026-12-01T10:00:00Z", campaign = "outage-notify", dialled = "+441632960101", site = "corp" },
    { call_id = "dlr-0002", placed_at = "2026-12-01T10:05:00Z", campaign = "outage-notify", dialled = "+441632960102", site = "lon" },
    { call_id = "dlr-0003", placed_at = "2026-12-01T10:50:00Z", campaign = "outage-notify", dialled = "+441632960103", site = "corp" },
    { call_id = "dlr-0901", placed_at = "2026-12-01T09:00:00Z", campaign = "outage-notify", dialled = "+441632960999", site = "corp" },
  ]
}

run "ends_stale_calls" {
  plan_timestamp = "2026-12-01T11:00:00Z"

  assert {
    condition     = [for c in plan.changes : c.call_id if c.action == "disconnect"] == ["dlr-0001"]
    error_message = "only dlr-0001 is live and older than 30 minutes"
  }
  assert {
    condition     = length([for c in plan.changes : c if c.call_id == "dlr-0901"]) == 0
    error_message = "a call to the emergency desk must never be selected"
  }
  assert {
    condition     = [for c in plan.changes : c.exchange if c.call_id == "dlr-0002"] == ["lon"]
    error_message = "a call placed by the lon site is looked up on exchange lon"
  }
}

run "ends_them" {
  command        = apply
  plan_timestamp = "2026-12-01T11:00:00Z"

  assert {
    condition     = [for r in apply.results : r.call_id if r.outcome == "disconnected"] == ["dlr-0001"]
    error_message = "apply disconnects exactly the stale call"
  }
}

run "nothing_left_after_apply" {
  plan_timestamp = "2026-12-01T11:00:00Z"

  assert {
    condition     = length([for c in plan.changes : c if c.action == "disconnect"]) == 0
    error_message = "the mock remembers the apply: nothing is left to end"
  }
}
