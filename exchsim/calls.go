package exchsim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/callctl/callctl/vocab"
)

// Call is one phone call in the simulator's table. State is a
// PhoneCallState value (protocol.md §2.4); Cause a ConnectionFailureCause,
// empty meaning None.
type Call struct {
	ID    string `json:"id"`
	State string `json:"state"`
	Cause string `json:"cause,omitempty"`
}

// The enumerations both dialects use, in schema order (protocol.md §2.4).
var (
	validStates = vocab.States()
	validCauses = []string{"None", "UserBusy", "NoAnswer", "Unavailable", "Other"}
)

// validate checks a call the way a real UM server would report it: a
// known state, a known cause, and a cause other than None only once the
// call is Disconnected (OXWUMS: "MUST be None" while not disconnected).
func (c Call) validate() error {
	if c.ID == "" {
		return errors.New("exchsim: call with an empty id")
	}
	if !slices.Contains(validStates, c.State) {
		return fmt.Errorf("exchsim: call %q: unknown state %q (want one of %s)", c.ID, c.State, strings.Join(validStates, ", "))
	}
	if c.Cause != "" && !slices.Contains(validCauses, c.Cause) {
		return fmt.Errorf("exchsim: call %q: unknown cause %q (want one of %s)", c.ID, c.Cause, strings.Join(validCauses, ", "))
	}
	if c.Cause != "" && c.Cause != "None" && c.State != "Disconnected" {
		return fmt.Errorf("exchsim: call %q: cause %q is only valid for Disconnected calls, not %s", c.ID, c.Cause, c.State)
	}
	return nil
}

// cause returns the cause as the wire shows it.
func (c Call) cause() string {
	if c.Cause == "" {
		return "None"
	}
	return c.Cause
}

// callsFile is the JSON layout LoadCalls reads and /_exchsim/calls writes.
type callsFile struct {
	Calls []Call `json:"calls"`
}

// LoadCalls reads a call table such as
//
//	{"calls":[{"id":"MDlk...","state":"Connected"}]}
//
// Unknown fields, states and causes, empty and duplicate ids are errors
// that name the offending call, so that a typo in a fixture fails loudly
// instead of simulating something unintended.
func LoadCalls(r io.Reader) ([]Call, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f callsFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("exchsim: reading calls: %w", err)
	}
	if dec.More() {
		return nil, errors.New("exchsim: reading calls: trailing data after the JSON object")
	}
	if err := validateCalls(f.Calls); err != nil {
		return nil, err
	}
	return f.Calls, nil
}

func validateCalls(calls []Call) error {
	seen := make(map[string]bool, len(calls))
	for _, c := range calls {
		if err := c.validate(); err != nil {
			return err
		}
		if seen[c.ID] {
			return fmt.Errorf("exchsim: duplicate call id %q", c.ID)
		}
		seen[c.ID] = true
	}
	return nil
}

// record is a table entry. dialing marks a call placed by PlayOnPhone that
// still shows Connecting: the first lookup reports Connecting and then
// moves it to Connected, so a client polling a new call sees both states
// deterministically, without timers.
type record struct {
	Call
	dialing bool
}

// newCallID returns an id shaped like a real server's:
// base64("<session id>|<UM server FQDN>") (protocol.md §2.5).
func newCallID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand.Read does not fail on supported platforms
	}
	return base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(b[:]) + "|sim.exchsim.local"))
}

// Calls returns a snapshot of the call table sorted by id.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, 0, len(s.calls))
	for _, r := range s.calls {
		out = append(out, r.Call)
	}
	slices.SortFunc(out, func(a, b Call) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Call returns the call with this id as the table holds it now.
func (s *Server) Call(id string) (Call, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.calls[id]
	if !ok {
		return Call{}, false
	}
	return r.Call, true
}

// SetCalls replaces the whole call table.
func (s *Server) SetCalls(calls []Call) error {
	if err := validateCalls(calls); err != nil {
		return err
	}
	table := make(map[string]*record, len(calls))
	for _, c := range calls {
		table[c.ID] = &record{Call: c}
	}
	s.mu.Lock()
	s.calls = table
	s.mu.Unlock()
	return nil
}

// AddCall adds c, replacing any call with the same id.
func (s *Server) AddCall(c Call) error {
	if err := c.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	s.calls[c.ID] = &record{Call: c}
	s.mu.Unlock()
	return nil
}

// placeCall adds a new outgoing call and returns its id.
func (s *Server) placeCall() string {
	id := newCallID()
	s.mu.Lock()
	s.calls[id] = &record{Call: Call{ID: id, State: "Connecting"}, dialing: true}
	s.mu.Unlock()
	return id
}

// lookupCall returns the call as a lookup reports it, advancing a freshly
// placed call from Connecting to Connected afterwards.
func (s *Server) lookupCall(id string) (Call, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.calls[id]
	if !ok {
		return Call{}, false
	}
	seen := r.Call
	if r.dialing {
		r.dialing = false
		r.State = "Connected"
	}
	return seen, true
}

// disconnectCall ends a call. Disconnecting a call that is already
// Disconnected succeeds and keeps its cause: the simulator takes the
// lenient reading of an undocumented case (protocol.md §2.3).
func (s *Server) disconnectCall(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.calls[id]
	if !ok {
		return false
	}
	if r.State != "Disconnected" {
		r.State, r.Cause, r.dialing = "Disconnected", "", false
	}
	return true
}
