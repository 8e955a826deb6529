exchange "corp" { # ERROR: Duplicate exchange block
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

end_call "b" {
  exchange = exchange.corp
  call_id  = "SAME" # ERROR: Duplicate call declaration
}
