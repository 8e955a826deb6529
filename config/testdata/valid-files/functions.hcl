variable "prefix" {
  default = "Bridge"
}

variable "ids" {
  type    = string
  default = "x-1, x-2 ,x-3"
}

exchange "corp" {
  url = format("https://%s/EWS/Exchange.asmx", lower("MAIL.CORP.EXAMPLE"))
}

end_call "split" {
  for_each = [for s in split(",", var.ids) : trimspace(s)]
  exchange = exchange.corp
  call_id  = upper(each.value)
  reason   = try(tonumber(each.value), join("-", [lower(var.prefix), each.key]))
}

end_call "computed" {
  exchange = exchange.corp
  call_id  = replace("call/1/2", "/[/]/", "-")
  reason   = can(regex("^[0-9]+$", "12a")) ? "digits" : "not digits ${length("abc")}"
}
