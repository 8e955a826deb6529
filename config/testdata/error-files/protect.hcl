exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

end_call "emergency" {
  exchange = exchange.corp
  call_id  = "OWVl4NWb3N29t-911" # ERROR: Call is protected
}

end_call "pattern" {
  exchange = exchange.corp
  call_id  = "911-42" # ERROR: Call is protected
}

end_call "fine" {
  exchange = exchange.corp
  call_id  = "912-42"
}

protect "emergency" {
  call_ids = ["OWVl4NWb3N29t-911"]
  patterns = [
    "911-*",
    "[", # ERROR: Invalid protect pattern
  ]
}
