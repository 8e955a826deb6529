# An incident list kept in a var-file: the on-call engineer pastes the stuck
# call ids from the UM logs into incident-NNNN.vars and runs
#
#   callctl plan  -var-file=incident-4821.vars
#   callctl apply -var-file=incident-4821.vars
#
# Credentials come from the environment, never from the repository.

variable "incident" {
  type        = string
  description = "Incident ticket, shown as the reason for every disconnect."
}

variable "stuck_calls" {
  type        = list(string)
  description = "Call ids (PhoneCallId Id values) to end."
  default     = []
}

variable "ews_url" {
  type    = string
  default = "https://mail.corp.example/EWS/Exchange.asmx"
}

exchange "corp" {
  url            = var.ews_url
  server_version = "Exchange2013"
  # ca_file      = "corp-root-ca.pem"   # if the server uses a private CA

  auth "ntlm" {
    username = "CORP\\svc-callctl"
    password = env("CALLCTL_PASSWORD")
  }
}

end_call "stuck" {
  for_each = toset(var.stuck_calls)
  exchange = exchange.corp
  call_id  = each.value
  reason   = "stuck after ${var.incident}"
  # A call that is still ringing may be a new, legitimate one that reused
  # the line: leave it alone.
  only_in_states = ["Connected", "Transferring", "Forwarding"]
}

protect "emergency" {
  # Calls to the emergency desk are never ended by automation.
  patterns = ["ZW1lcmdlbmN5*"]
}
