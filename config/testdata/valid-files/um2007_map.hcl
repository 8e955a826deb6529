variable "calls" {
  type = map(object({
    id     = string
    reason = optional(string, "stuck")
  }))
  default = {
    "lobby" = { id = "AAA-1" }
    "desk"  = { id = "AAA-2", reason = "desk phone" }
  }
}

exchange "legacy" {
  url     = "https://um.corp.example/UnifiedMessaging/Service.asmx"
  dialect = "um2007"
  auth "bearer" {
    token = env("UM_TOKEN", "")
  }
}

end_call "legacy" {
  for_each = var.calls
  exchange = exchange.legacy
  call_id  = each.value.id
  reason   = each.value.reason
}
