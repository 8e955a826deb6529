exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

end_call "number" {
  for_each = 3 # ERROR: Invalid for_each argument
  exchange = exchange.corp
  call_id  = each.value
}

end_call "string" {
  for_each = "abc" # ERROR: Invalid for_each argument
  exchange = exchange.corp
  call_id  = each.value
}

end_call "bool" {
  for_each = true # ERROR: Invalid for_each argument
  exchange = exchange.corp
  call_id  = each.value
}

end_call "null" {
  for_each = null # ERROR: Invalid for_each argument
  exchange = exchange.corp
  call_id  = each.value
}

end_call "numbers" {
  for_each = [1, 2] # ERROR: Invalid for_each argument
  exchange = exchange.corp
  call_id  = each.value
}

end_call "number_set" {
  for_each = toset([1, 2]) # ERROR: Invalid for_each argument
  exchange = exchange.corp
  call_id  = each.value
}

end_call "object_values" {
  for_each = { a = { id = "A" } }
  exchange = exchange.corp
  call_id  = each.value # ERROR: Incorrect attribute value type
}
