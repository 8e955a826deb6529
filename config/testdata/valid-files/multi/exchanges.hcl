exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}
