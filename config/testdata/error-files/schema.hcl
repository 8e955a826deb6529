exchnage "corp" { # ERROR: Unsupported block type
}

exchange "corp" { # ERROR: Missing required argument
  urll = "https://mail.corp.example/EWS/Exchange.asmx" # ERROR: Unsupported argument
}

end_call "nothing" { # ERROR: Missing required argument # ERROR: Missing required argument
}

end_call "x" {
  exchange = exchange.corp
  call_id  = "X"
  call_id  = "Y" # ERROR: Attribute redefined
}

protect "bad-name!" { # ERROR: Invalid block name
}
