# A standing policy: end every call our dialer placed for the outage
# notification campaign more than 30 minutes ago, on whichever site placed
# it, except calls to the emergency desk. The dialer exports its calls as
# JSON lines; cron runs plan and apply every few minutes (see the README,
# "Standing policies"). Records differ in their fields: a missing field
# reads as null.
#
#   callctl plan -out=standing.plan && callctl apply standing.plan

variable "corp_url" {
  type    = string
  default = "https://mail.corp.example/EWS/Exchange.asmx"
}

variable "lon_url" {
  type    = string
  default = "https://mail-lon.corp.example/EWS/Exchange.asmx"
}

variable "ca_file" {
  type        = string
  description = "PEM file of the CA that issued the Exchange servers' certificates (relative to this directory); empty: the system's trusted CAs."
  default     = ""
}

variable "username" {
  type    = string
  default = "CORP\\svc-callctl"
}

exchange "corp" {
  url     = var.corp_url
  ca_file = var.ca_file
  auth "ntlm" {
    username = var.username
    password = env("CALLCTL_PASSWORD")
  }
}

exchange "lon" {
  url     = var.lon_url
  ca_file = var.ca_file
  auth "ntlm" {
    username = var.username
    password = env("CALLCTL_PASSWORD")
  }
}

data "inventory" "dialer" {
  file = "exports/dialer-calls.jsonl"
}

locals {
  cutoff          = timeadd(plantimestamp(), "-30m")
  emergency_desks = ["+441632960999"]

  stale = {
    for c in data.inventory.dialer.records : c.call_id => c
    if c.campaign == "outage-notify" &&
    timecmp(c.placed_at, local.cutoff) < 0 &&
    !contains(local.emergency_desks, c.dialled)
  }
}

end_call "stale_dialer" {
  for_each = local.stale
  exchange = each.value.site == "lon" ? exchange.lon : exchange.corp
  call_id  = each.value.call_id
  reason   = "dialer call older than 30 minutes (${each.value.dialled})"
}
