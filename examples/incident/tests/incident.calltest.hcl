# The incident policy ends the listed calls that are still connected,
# leaves ringing ones alone, and refuses ids the emergency desk uses.

mock_exchange "corp" {
  calls = {
    "c-connected" = "Connected"
    "c-ringing"   = "Alerted"
    "c-ended"     = "Disconnected"
  }
}

variables {
  incident = "INC-4821"
}

run "ends_connected_calls_only" {
  variables {
    stuck_calls = ["c-connected", "c-ringing", "c-ended", "c-unknown"]
  }

  assert {
    condition     = [for c in plan.changes : c.call_id if c.action == "disconnect"] == ["c-connected"]
    error_message = "only the connected call is to be ended"
  }
  assert {
    condition     = [for c in plan.changes : c.action if c.call_id == "c-ringing"] == ["left_alone"]
    error_message = "a ringing call may be a new one on the line: left alone"
  }
  assert {
    condition     = [for c in plan.changes : c.action if c.call_id == "c-unknown"] == ["not_found"]
    error_message = "an unknown id is not_found"
  }
  assert {
    condition     = distinct([for c in plan.changes : c.reason]) == tolist(["stuck after INC-4821"])
    error_message = "every call carries the incident as its reason"
  }
}

run "emergency_desk_is_protected" {
  variables {
    stuck_calls = ["ZW1lcmdlbmN5LWRlc2s="]
  }
  expect_failures = [protect.emergency]
}

run "a_single_id_is_not_a_list" {
  variables {
    stuck_calls = "c-connected"
  }
  expect_failures = [var.stuck_calls]
}
