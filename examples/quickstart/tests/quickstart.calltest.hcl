# The quickstart policy against a mock of the simulator's calls: the bridge
# and two IVR calls are live, the third IVR call has already ended.

mock_exchange "sim" {
  calls = {
    "cXVpY2tzdGFydC1icmlkZ2UtNDgyMQ==" = "Connected"
    "cXVpY2tzdGFydC1pdnItMDAx"         = "Connected"
    "cXVpY2tzdGFydC1pdnItMDAy"         = "Alerted"
    "cXVpY2tzdGFydC1pdnItMDAz"         = "Disconnected"
  }
}

run "plans_the_live_calls" {
  assert {
    condition     = length(plan.changes) == 4
    error_message = "every declared call is looked up"
  }
  assert {
    condition     = length([for c in plan.changes : c if c.action == "disconnect"]) == 3
    error_message = "the bridge and the two live IVR calls are to be ended"
  }
  assert {
    condition     = [for c in plan.changes : c.address if c.action == "already_ended"] == ["end_call.ivr[\"cXVpY2tzdGFydC1pdnItMDAz\"]"]
    error_message = "the ended IVR call is listed as already ended"
  }
}

run "apply" {
  command = apply

  assert {
    condition     = length([for r in apply.results : r if r.outcome == "disconnected"]) == 3
    error_message = "apply ends the three live calls"
  }
}

run "override_the_list" {
  variables {
    stuck_calls = ["not-a-call"]
  }

  assert {
    condition     = [for c in plan.changes : c.action if c.call_id == "not-a-call"] == ["not_found"]
    error_message = "an id the exchange does not know is not_found, never already_ended"
  }
}
