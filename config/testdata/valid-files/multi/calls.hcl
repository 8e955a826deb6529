end_call "one" {
  exchange = exchange.corp
  call_id  = "ONE"
}
