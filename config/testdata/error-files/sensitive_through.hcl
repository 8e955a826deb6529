variable "pin" {
  type      = string
  default   = "4821"
  sensitive = true
}

locals {
  label = "pin ${var.pin}"
  again = local.label
}

exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

data "inventory" "by_pin" {
  command = ["./list-calls", var.pin] # ERROR: Sensitive value in command
}

data "inventory" "pin_file" {
  file = "exports/${var.pin}.jsonl" # ERROR: Sensitive value in file
}

end_call "bridge" {
  exchange = exchange.corp
  call_id  = "c-1"
  reason   = local.again # ERROR: Sensitive value in reason
}
