variable "v" {
  default = "a"
}

variable "v" { # ERROR: Duplicate variable declaration
  default = "b"
}

exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

exchange "corp" { # ERROR: Duplicate exchange block
  url = "https://mail2.corp.example/EWS/Exchange.asmx"
}

end_call "c" {
  exchange = exchange.corp
  call_id  = "C1"
}

end_call "c" { # ERROR: Duplicate end_call block
  exchange = exchange.corp
  call_id  = "C2"
}

protect "p" {
  call_ids = ["P"]
}

protect "p" { # ERROR: Duplicate protect block
  call_ids = ["Q"]
}
