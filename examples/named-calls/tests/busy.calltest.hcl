mock_exchange "eu" {
  fault = "busy"
}

run "busy_exchange_fails_the_plan" {
  expect_failures = [exchange.eu]

  assert {
    condition     = length(plan.changes) == 0
    error_message = "no call could be looked up on a busy exchange"
  }
}
