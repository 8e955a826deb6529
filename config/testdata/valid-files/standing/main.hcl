exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

exchange "lon" {
  url = "https://mail.lon.example/EWS/Exchange.asmx"
}

data "inventory" "dialer" {
  file = "calls.jsonl"
}

data "inventory" "export" {
  file = "calls.csv"
}

locals {
  stale  = { for c in data.inventory.dialer.records : c.call_id => c if timecmp(c.placed_at, local.cutoff) < 0 && c.dialled != "+441632960999" }
  cutoff = timeadd(plantimestamp(), "-30m")
}

end_call "stale" {
  for_each = local.stale
  exchange = exchange.corp
  call_id  = each.key
  reason   = "placed ${formatdate("hh:mm", each.value.placed_at)} by ${try(each.value.agent, "the dialer")}"
}

end_call "exported" {
  for_each = { for r in data.inventory.export.records : r.id => r }
  exchange = exchange.lon
  call_id  = each.key
  reason   = each.value.note
}
