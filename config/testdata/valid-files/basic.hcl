variable "stuck_calls" {
  type        = list(string)
  default     = ["OWVl4NWb3N29t-a", "OWVl4NWb3N29t-b"]
  description = "Calls stuck on the bridge."
}

variable "password" {
  type      = string
  default   = "not-a-secret"
  sensitive = true
}

exchange "corp" {
  url                  = "https://mail.corp.example/EWS/Exchange.asmx"
  dialect              = "ews"
  server_version       = "Exchange2010_SP2"
  insecure_skip_verify = false
  allow_insecure_http  = false
  auth "ntlm" {
    username = "CORP\\svc-callctl"
    password = env("CALLCTL_PASSWORD")
  }
}

exchange "edge" {
  url = "https://edge.corp.example/EWS/Exchange.asmx"
  auth "basic" {
    username = "svc"
    password = var.password
  }
}

end_call "bridge_4821" {
  exchange       = exchange.corp
  call_id        = "OWVl4NWb3N29t"
  reason         = "stuck bridge, INC-4821"
  only_in_states = ["Connected", "Alerted"]
}

# The same id on another exchange names another call.
end_call "bridge_4821_edge" {
  exchange = exchange.edge
  call_id  = "OWVl4NWb3N29t"
}

end_call "stuck" {
  for_each = toset(var.stuck_calls)
  exchange = exchange.corp
  call_id  = each.value
  reason   = "stuck call ${each.key}"
}

protect "emergency" {
  call_ids = ["OWVl4NWb3N29t-911"]
  patterns = ["911-*"]
}
