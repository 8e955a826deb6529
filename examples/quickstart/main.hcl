# Quickstart: calls an incident left up on the simulator that
# scripts/quickstart.sh starts over https, with Extended Protection
# required as on a hardened Exchange. That script sets EXCHSIM_URL,
# EXCHSIM_CA (the simulator's CA certificate) and CALLCTL_PASSWORD; against
# a real server, put its EWS URL here instead, and its CA's PEM file (or
# nothing, for a certificate the system trusts) in ca_file.

variable "stuck_calls" {
  type        = list(string)
  description = "Call ids the IVR outage left connected."
  default     = ["cXVpY2tzdGFydC1pdnItMDAx", "cXVpY2tzdGFydC1pdnItMDAy", "cXVpY2tzdGFydC1pdnItMDAz"]
}

exchange "sim" {
  url     = "${env("EXCHSIM_URL")}/EWS/Exchange.asmx"
  ca_file = env("EXCHSIM_CA")

  auth "ntlm" {
    username = "CORP\\alice"
    password = env("CALLCTL_PASSWORD")
  }
}

end_call "bridge_4821" {
  exchange = exchange.sim
  call_id  = "cXVpY2tzdGFydC1icmlkZ2UtNDgyMQ=="
  reason   = "stuck conference bridge, INC-4821"
}

end_call "ivr" {
  for_each = toset(var.stuck_calls)
  exchange = exchange.sim
  call_id  = each.value
  reason   = "left up by the IVR outage"
}
