exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

end_call "padded" {
  exchange = exchange.corp
  call_id  = " OWVl4NWb3N29t" # WARNING: Call id has surrounding whitespace
}

protect "nothing" { # WARNING: Empty protect block
}
