variable "unset" { # ERROR: No value for required variable
  type = string
}

variable "empty" {
  type    = string
  default = ""
}

exchange "unset_env" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "basic" { # ERROR: Empty password
    username = "svc"
    password = env("NOT_SET_ANYWHERE")
  }
}

exchange "empty_var" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "ntlm" { # ERROR: Empty password
    username = "CORP\\svc"
    password = var.empty
  }
}

exchange "empty_token" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "bearer" { # ERROR: Empty token
    token = env("NOT_SET_ANYWHERE", "")
  }
}

exchange "bad_dialect" {
  url     = "https://a.example/EWS/Exchange.asmx"
  dialect = "EWSS" # ERROR: Invalid dialect
}

exchange "unset_var" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "basic" { # ERROR: No password for exchange
    username = "svc"
    password = var.unset
  }
}

# A variable that feeds a password is a secret, declared so or not.
variable "shared" {
  default = "c-1"
}

exchange "shared" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "basic" {
    username = "svc"
    password = var.shared
  }
}

end_call "shared" {
  exchange = exchange.shared
  call_id  = var.shared # ERROR: Sensitive value in call_id
}
