# One bad record fails one call: a placed_at timecmp rejects fails that
# record's call alone (an error the run expects of the end_call); the
# other stale call is still planned and ended.

mock_exchange "corp" {
  calls = {
    "dlr-0001" = "Connected"
    "dlr-0004" = "Connected"
  }
}

mock_exchange "lon" {
  calls = {}
}

mock_data "inventory" "dialer" {
  records = [
    { call_id = "dlr-0001", placed_at = "2026-12-01T10:00:00Z", campaign = "outage-notify", dialled = "+441632960101", site = "corp" },
    { call_id = "dlr-0004", placed_at = "yesterday", campaign = "outage-notify", dialled = "+441632960104", site = "corp" },
  ]
}

run "bad_record_fails_alone" {
  command         = apply
  plan_timestamp  = "2026-12-01T11:00:00Z"
  expect_failures = [end_call.stale_dialer]

  assert {
    condition     = [for c in plan.changes : c.call_id if c.action == "disconnect"] == ["dlr-0001"]
    error_message = "the good record's call is still ended"
  }
}
