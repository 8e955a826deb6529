package soap

// WithoutChannelBinding turns NTLM channel binding off until the returned
// function is called, for tests of a client without Extended Protection.
// Tests using it must not run in parallel.
func WithoutChannelBinding() (restore func()) {
	channelBindingOff = true
	return func() { channelBindingOff = false }
}
