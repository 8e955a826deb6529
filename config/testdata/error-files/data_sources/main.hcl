exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

data "invntory" "x" { # ERROR: Unknown data source type
  file = "calls.jsonl"
}

data "inventory" "both" {
  file    = "calls.jsonl"
  command = ["./list"] # ERROR: Conflicting inventory sources
}

data "inventory" "neither" { # ERROR: Missing inventory source
}

data "inventory" "badformat" {
  file   = "calls.jsonl"
  format = "yaml" # ERROR: Invalid inventory format
}

data "inventory" "timeout_on_file" {
  file    = "calls.jsonl"
  timeout = "5s" # ERROR: Timeout without a command
}

data "inventory" "badtimeout" {
  command = ["./list"]
  timeout = "soon" # ERROR: Invalid timeout
}

data "inventory" "empty_command" {
  command = [] # ERROR: Empty command
}

data "inventory" "escape" {
  file = "../secrets.jsonl" # ERROR: Inventory outside the policy directory
}

data "inventory" "absolute" {
  file = "/etc/passwd" # ERROR: Inventory outside the policy directory
}

data "inventory" "missing" {
  file = "nope.jsonl" # ERROR: Cannot read inventory
}

data "inventory" "bad_line" {
  file = "bad.jsonl" # ERROR: Invalid inventory
}

data "inventory" "uses_local" {
  file = local.name # ERROR: Invalid reference in data block
}

data "inventory" "calls" {
  file = "calls.jsonl"
}

data "inventory" "calls" { # ERROR: Duplicate data block
  file = "calls.jsonl"
}

locals {
  a = local.b # ERROR: Cycle in local values
  b = local.a
  c = local.nope # ERROR: Reference to undeclared local value
}

locals {
  a = 1 # ERROR: Duplicate local value definition
}

end_call "undeclared" {
  for_each = { for c in data.inventory.dialer.records : c.id => c } # ERROR: Reference to undeclared data source
  exchange = exchange.corp
  call_id  = each.key
}

end_call "bad_attr" {
  for_each = { for c in data.inventory.calls.rows : c.id => c } # ERROR: Unsupported attribute
  exchange = exchange.corp
  call_id  = each.key
}

end_call "bare" {
  for_each = { for c in data.inventory : c.id => c } # ERROR: Invalid data source reference
  exchange = exchange.corp
  call_id  = each.key
}
