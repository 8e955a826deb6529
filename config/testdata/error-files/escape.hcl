exchange "corp" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "ntlm" {
    username = "CORP\alice" # ERROR: Invalid escape sequence
    password = env("P")
  }
}
