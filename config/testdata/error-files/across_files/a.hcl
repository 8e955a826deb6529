exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

end_call "a" {
  exchange = exchange.corp
  call_id  = "SAME"
}
