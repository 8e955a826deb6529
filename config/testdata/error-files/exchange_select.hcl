exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

end_call "string_branch" {
  for_each = toset(["a"])
  exchange = each.key == "a" ? exchange.corp : "corp" # ERROR: Inconsistent conditional result types
  call_id  = each.key
}

end_call "undeclared_branch" {
  for_each = toset(["a"])
  exchange = each.key == "a" ? exchange.corp : exchange.lon # ERROR: Reference to undeclared exchange
  call_id  = each.key
}

end_call "null_branch" {
  for_each = toset(["a"])
  exchange = each.key == "b" ? exchange.corp : null # ERROR: Invalid exchange reference
  call_id  = each.key
}
