package exchsim

import "crypto/subtle"

// bindingAccepted applies the Extended Protection mode to the channel
// binding token a verified login carried (nil or all zeros: none), and
// counts a refusal. Under EPAAllow a login without a binding passes, as
// IIS's "Accept" does; a binding for another certificate never passes
// unless EPA is off.
func (s *Server) bindingAccepted(token []byte) bool {
	if s.TLS() && len(token) > 0 && subtle.ConstantTimeCompare(token, s.binding[:]) == 1 {
		s.stats.cbtValid.Add(1)
		return true
	}
	if s.opts.EPA == EPANone {
		return true
	}
	if len(token) == 0 || allZero(token) {
		if s.opts.EPA == EPARequire {
			s.stats.cbtMissing.Add(1)
			return false
		}
		return true
	}
	if subtle.ConstantTimeCompare(token, s.binding[:]) != 1 {
		s.stats.cbtMismatch.Add(1)
		return false
	}
	return true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
