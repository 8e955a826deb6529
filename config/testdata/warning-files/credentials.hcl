# "EWS" is accepted as "ews".
exchange "upper" {
  url     = "https://a.example/EWS/Exchange.asmx"
  dialect = "EWS"
  auth "ntlm" {
    username = "CORP\nancy" # WARNING: Control character in user name
    password = env("P")
  }
}
