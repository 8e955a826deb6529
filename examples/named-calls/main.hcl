# Several named calls, each with the reason it must end. Named blocks give
# stable addresses (end_call.lobby_phone) for -target and for review.

exchange "eu" {
  url            = "https://mail-eu.corp.example/EWS/Exchange.asmx"
  server_version = "Exchange2010_SP2"

  auth "ntlm" {
    username = "CORP\\svc-callctl"
    password = env("CALLCTL_EU_PASSWORD")
  }
}

end_call "lobby_phone" {
  exchange = exchange.eu
  call_id  = "bG9iYnktcGhvbmV8dW0wMS5ldS5jb3JwLmV4YW1wbGU="
  reason   = "lobby phone left off the hook over the weekend"
}

end_call "bridge_board" {
  exchange = exchange.eu
  call_id  = "Ym9hcmQtYnJpZGdlfHVtMDIuZXUuY29ycC5leGFtcGxl"
  reason   = "board bridge still open after the meeting, CHG-1193"
}

end_call "toll_fraud" {
  exchange = exchange.eu
  call_id  = "dG9sbC1mcmF1ZHx1bTAxLmV1LmNvcnAuZXhhbXBsZQ=="
  reason   = "suspected toll fraud, SEC-77: end now, investigate later"
}
