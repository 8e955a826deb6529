variable "stuck" {
  default = ["a"]
}

exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

end_call "typo" {
  exchange = exchange.crop # ERROR: Reference to undeclared exchange
  call_id  = "A"
}

end_call "quoted" {
  exchange = "corp" # ERROR: Invalid exchange reference
  call_id  = "B"
}

end_call "deep" {
  exchange = exchange.corp.url # ERROR: Invalid exchange reference
  call_id  = "C"
}

end_call "undeclared_var" {
  exchange = exchange.corp
  call_id  = var.stuk[0] # ERROR: Reference to undeclared input variable
}

end_call "each_outside" {
  exchange = exchange.corp
  call_id  = each.value # ERROR: Reference to "each" in context without for_each
}

end_call "each_attr" {
  for_each = toset(var.stuck)
  exchange = exchange.corp
  call_id  = each.val # ERROR: Invalid "each" attribute
}

end_call "exchange_as_value" {
  exchange = exchange.corp
  call_id  = exchange.corp # ERROR: Invalid reference to exchange
}

end_call "unknown_root" {
  exchange = exchange.corp
  call_id  = module.id # ERROR: Unknown variable
}

end_call "bad_function" {
  exchange = exchange.corp
  call_id  = lowercase("A") # ERROR: Call to unknown function
}

end_call "unreadable_file" {
  exchange = exchange.corp
  call_id  = file("no-such-file.txt") # ERROR: Error in function call
}
