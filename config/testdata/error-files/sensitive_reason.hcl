variable "pin" {
  type      = string
  default   = "4821"
  sensitive = true
}

exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

end_call "bridge" {
  exchange = exchange.corp
  call_id  = "c-1"
  reason   = "bridge pin ${var.pin}" # ERROR: Sensitive value in reason
}
