exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

locals {
  ids = split(",", 42, 1) # ERROR: Too many function arguments
}

# A failed local is reported once, not again by each block using it.
end_call "x" {
  for_each = toset(local.ids)
  exchange = exchange.corp
  call_id  = each.key
}
