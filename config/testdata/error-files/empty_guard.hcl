exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

end_call "bridge" {
  exchange       = exchange.corp
  call_id        = "c-1"
  only_in_states = [] # ERROR: Empty only_in_states
}
