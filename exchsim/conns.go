package exchsim

import "net/http"

// CloseIdleConnections closes every connection that is not serving a
// request, as a server whose keep-alive timeout ran out does: a client
// must notice and reconnect (and, with NTLM, log in again).
func (s *Server) CloseIdleConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c, st := range s.conns {
		if st == http.StateIdle {
			c.Close()
		}
	}
}
