exchange "dialect" {
  url     = "https://a.example/EWS/Exchange.asmx"
  dialect = "ewss" # ERROR: Invalid dialect
}

exchange "version" {
  url            = "https://a.example/EWS/Exchange.asmx"
  server_version = "Exchange2011" # ERROR: Invalid server version
}

exchange "um_version" {
  url            = "https://a.example/UnifiedMessaging/Service.asmx"
  dialect        = "um2007"
  server_version = "Exchange2010" # ERROR: Server version meaningless for um2007
}

exchange "auth_kind" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "ntml" { # ERROR: Invalid authentication kind
  }
}

exchange "auth_twice" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "bearer" {
    token = env("T")
  }
  auth "bearer" { # ERROR: Duplicate auth block
    token = env("T")
  }
}

exchange "auth_missing" {
  url = "https://a.example/EWS/Exchange.asmx"
  auth "basic" { # ERROR: Missing required argument
    username = "svc"
    token    = env("T") # ERROR: Unsupported argument
  }
}

exchange "scheme" {
  url = "ftp://a.example/EWS/Exchange.asmx" # ERROR: Invalid exchange URL
}

exchange "relative" {
  url = "/EWS/Exchange.asmx" # ERROR: Invalid exchange URL
}

exchange "unparseable" {
  url = "https://a.example:port/" # ERROR: Invalid exchange URL
}

exchange "userinfo" {
  url = "https://svc:hunter2@a.example/EWS/Exchange.asmx" # ERROR: Credentials in exchange URL
}

exchange "basic_http" {
  url = "http://a.example/EWS/Exchange.asmx"
  auth "basic" { # ERROR: Credentials over plain HTTP
    username = "svc"
    password = env("P")
  }
}

exchange "bearer_http" {
  url = "http://a.example/EWS/Exchange.asmx"
  auth "bearer" { # ERROR: Credentials over plain HTTP
    token = env("T")
  }
}

exchange "ca" {
  url     = "https://a.example/EWS/Exchange.asmx"
  ca_file = "no-such-ca.pem" # ERROR: Cannot read CA file
}

exchange "bool_type" {
  url                 = "https://a.example/EWS/Exchange.asmx"
  allow_insecure_http = "maybe" # ERROR: Incorrect attribute value type
}
