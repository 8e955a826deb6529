exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

exchange "edge" {
  url = "https://edge.corp.example/EWS/Exchange.asmx"
}

end_call "first" {
  exchange = exchange.corp
  call_id  = "SAME"
}

end_call "second" {
  exchange = exchange.corp
  call_id  = "SAME" # ERROR: Duplicate call declaration
}

end_call "other_exchange" {
  exchange = exchange.edge
  call_id  = "SAME"
}

end_call "empty" {
  exchange = exchange.corp
  call_id  = "" # ERROR: Empty call id
}

end_call "blank" {
  exchange = exchange.corp
  call_id  = "  	 " # ERROR: Empty call id
}

end_call "null_id" {
  exchange = exchange.corp
  call_id  = null # ERROR: Invalid value
}

end_call "list_id" {
  exchange = exchange.corp
  call_id  = ["A"] # ERROR: Incorrect attribute value type
}

end_call "states" {
  exchange = exchange.corp
  call_id  = "STATES"
  only_in_states = [
    "Connected",
    "Conected", # ERROR: Invalid call state
  ]
}
