# A mixed fleet: a 2016 site on EWS and a site still on Exchange 2007
# Unified Messaging, in one policy. One plan and one apply cover both;
# -parallelism applies to each exchange separately, so a slow site does not
# hold the other up. The same call id on two exchanges is two calls.
#
#   callctl plan -var-file=outage.vars

variable "eu_url" {
  type    = string
  default = "https://mail-eu.corp.example/EWS/Exchange.asmx"
}

variable "us_url" {
  type    = string
  default = "https://um-us.corp.example/UnifiedMessaging/Service.asmx"
}

variable "ca_file" {
  type        = string
  description = "PEM file of the CA that issued the Exchange servers' certificates (relative to this directory); empty: the system's trusted CAs."
  default     = ""
}

variable "username" {
  type        = string
  description = "Service account, DOMAIN\\user, allowed to end calls on both sites."
  default     = "CORP\\svc-callctl"
}

variable "eu_calls" {
  type    = list(string)
  default = []
}

variable "us_calls" {
  type    = list(string)
  default = []
}

exchange "eu" {
  url            = var.eu_url
  server_version = "Exchange2016"
  ca_file        = var.ca_file

  auth "ntlm" {
    username = var.username
    password = env("CALLCTL_PASSWORD")
  }
}

exchange "us_legacy" {
  url     = var.us_url
  dialect = "um2007"
  ca_file = var.ca_file

  auth "ntlm" {
    username = var.username
    password = env("CALLCTL_PASSWORD")
  }
}

end_call "eu" {
  for_each = toset(var.eu_calls)
  exchange = exchange.eu
  call_id  = each.value
  reason   = "SBC failover left EU calls up, INC-5120"
}

end_call "us" {
  for_each = toset(var.us_calls)
  exchange = exchange.us_legacy
  call_id  = each.value
  reason   = "SBC failover left US calls up, INC-5120"
}
