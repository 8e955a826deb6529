package exchsim

import (
	"errors"
	"fmt"
	"net/http"
)

// maxAdminBody bounds a POST /_exchsim/calls body; call tables for tests
// are a few kilobytes.
const maxAdminBody = 8 << 20

// UpsertCalls adds each call, replacing any call with the same id, all at
// once: a lookup sees either none or all of them. The calls are checked
// as LoadCalls checks a calls file, and nothing changes if one is bad.
func (s *Server) UpsertCalls(calls []Call) error {
	if err := validateCalls(calls); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range calls {
		s.calls[c.ID] = &record{Call: c}
	}
	return nil
}

// serveAdminPostCalls serves POST /_exchsim/calls: the body is a calls
// file ({"calls":[{"id":..,"state":..}]}) whose calls are added or, for
// ids already known, changed, while the server runs; calls not named stay
// as they are. The answer is the whole table, as GET returns it. This is
// how a test adds calls between the cycles of a long-running client.
func (s *Server) serveAdminPostCalls(w http.ResponseWriter, r *http.Request) {
	calls, err := LoadCalls(http.MaxBytesReader(w, r.Body, maxAdminBody))
	if err == nil {
		err = s.UpsertCalls(calls)
	}
	if err != nil {
		status := http.StatusBadRequest
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
		}
		http.Error(w, fmt.Sprintf("%v", err), status)
		return
	}
	writeJSON(w, callsFile{Calls: s.Calls()})
}
