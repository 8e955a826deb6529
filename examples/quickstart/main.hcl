# Quickstart: calls an incident left up on the simulator that
# scripts/quickstart.sh starts. That script sets EXCHSIM_URL and
# CALLCTL_PASSWORD; against a real server, put its EWS URL here instead.

variable "stuck_calls" {
  type        = list(string)
  description = "Call ids the IVR outage left connected."
  default     = ["cXVpY2tzdGFydC1pdnItMDAx", "cXVpY2tzdGFydC1pdnItMDAy", "cXVpY2tzdGFydC1pdnItMDAz"]
}

exchange "sim" {
  url = "${env("EXCHSIM_URL")}/EWS/Exchange.asmx"

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
