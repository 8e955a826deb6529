exchange "skip" {
  url                  = "https://a.example/EWS/Exchange.asmx"
  insecure_skip_verify = true # WARNING: TLS certificate verification disabled
}

exchange "ntlm_http" {
  url = "http://a.example/EWS/Exchange.asmx"
  auth "ntlm" { # WARNING: NTLM over plain HTTP
    username = "CORP\\svc"
    password = env("P")
  }
}

exchange "basic_http_allowed" {
  url                 = "http://a.example/EWS/Exchange.asmx"
  allow_insecure_http = true
  auth "basic" { # WARNING: Credentials over plain HTTP
    username = "svc"
    password = env("P", "")
  }
}

exchange "literal" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "basic" {
    username = "svc"
    password = "hunter2" # WARNING: Literal password in policy
  }
}

exchange "literal_token" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "bearer" {
    token = "eyJhbGciOi" # WARNING: Literal token in policy
  }
}

exchange "computed_is_fine" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "bearer" {
    token = trimspace(file("security.hcl")) != "" ? env("T") : ""
  }
}
