# Each named call is looked up on exchange eu; a busy exchange fails the
# plan and nothing is disconnected.

mock_exchange "eu" {
  calls = {
    "bG9iYnktcGhvbmV8dW0wMS5ldS5jb3JwLmV4YW1wbGU=" = "Connected"
    "Ym9hcmQtYnJpZGdlfHVtMDIuZXUuY29ycC5leGFtcGxl" = "Disconnected"
    "dG9sbC1mcmF1ZHx1bTAxLmV1LmNvcnAuZXhhbXBsZQ==" = "Connected"
  }
}

run "plan" {
  assert {
    condition     = [for c in plan.changes : c.address if c.action == "disconnect"] == ["end_call.lobby_phone", "end_call.toll_fraud"]
    error_message = "the lobby phone and the toll-fraud call are live and to be ended"
  }
  assert {
    condition     = distinct([for c in plan.changes : c.exchange]) == tolist(["eu"])
    error_message = "every call is on exchange eu"
  }
}
