variable "pw" {
  type    = string
  default = "x"
}

locals {
  pw = var.pw
}

exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
  auth "ntlm" {
    username = "CORP\\svc"
    password = local.pw # ERROR: Local value not allowed here
  }
}
