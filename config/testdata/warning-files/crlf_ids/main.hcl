exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

end_call "from_file" {
  exchange = exchange.corp
  call_id  = file("id.txt") # WARNING: Call id has surrounding whitespace
}

# split on "\n" leaves the "\r" of Windows line endings on every id but
# the last, which chomp cleaned.
end_call "split" {
  for_each = toset(split("\n", chomp(file("ids.txt"))))
  exchange = exchange.corp
  call_id  = each.value # WARNING: Call id has surrounding whitespace
}

end_call "tab" {
  exchange = exchange.corp
  call_id  = "c\t8" # WARNING: Call id has control characters
}
