variable "required" { # ERROR: No value for required variable
  type = string
}

variable "bad_default" {
  type    = number
  default = "three" # ERROR: Invalid default value for variable
}

variable "bad_type" {
  type = lisst(string) # ERROR: Invalid type specification
}

variable "ref_default" {
  default = var.required # ERROR: Variables not allowed
}

exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

# Uses of failed variables are not reported again.
end_call "uses" {
  for_each = toset([var.required, var.bad_default])
  exchange = exchange.corp
  call_id  = each.value
}
