# The legacy site refuses the service account: its calls fail, the EU
# site's are still looked up, and apply is refused as a whole.

mock_exchange "eu" {
  calls = { "eu-1" = "Connected" }
}

mock_exchange "us_legacy" {
  fault = "unauthorized"
}

variables {
  eu_calls = ["eu-1"]
  us_calls = ["us-1"]
}

run "legacy_site_refuses_credentials" {
  command         = apply
  expect_failures = [exchange.us_legacy]

  assert {
    condition     = [for c in plan.changes : c.call_id] == ["eu-1"]
    error_message = "the EU call is still looked up"
  }
}
