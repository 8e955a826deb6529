package authkind

import (
	"fmt"
	"net/http"

	"github.com/Azure/go-ntlmssp"
)

// The built-in kinds, registered in this order (the order messages list
// them in).
const (
	NTLM   = "ntlm"
	Basic  = "basic"
	Bearer = "bearer"
)

// Argument names shared by the built-in kinds.
const (
	Username = "username"
	Password = "password"
	Token    = "token"
)

var (
	username = Attribute{Name: Username, Doc: "the user name to log in as", Account: true, Fingerprinted: true}
	password = Attribute{Name: Password, Doc: "the password to authenticate with", Secret: true}
)

func init() {
	Register(&Kind{
		Name:            NTLM,
		Attributes:      []Attribute{username, password},
		ConnectionBound: true,
		ChannelBound:    true,
		Transport:       ntlmTransport,
	})
	Register(&Kind{
		Name:         Basic,
		Attributes:   []Attribute{username, password},
		SecretOnWire: true,
		Transport:    basicTransport,
	})
	Register(&Kind{
		Name:         Bearer,
		Attributes:   []Attribute{{Name: Token, Doc: "the bearer token to send", Secret: true}},
		SecretOnWire: true,
		Transport:    bearerTransport,
	})
}

// ntlmTransport hands the credentials to the Negotiator as Basic, for it
// to pick up and replace; it never sends them as Basic (AllowBasicAuth
// stays false).
func ntlmTransport(base http.RoundTripper, c Credentials) (http.RoundTripper, error) {
	if c[Username] == "" {
		return nil, fmt.Errorf("%s authentication needs a username", NTLM)
	}
	return basicHeader(ntlmssp.Negotiator{RoundTripper: base}, c), nil
}

func basicTransport(base http.RoundTripper, c Credentials) (http.RoundTripper, error) {
	if c[Username] == "" {
		return nil, fmt.Errorf("%s authentication needs a username", Basic)
	}
	return basicHeader(base, c), nil
}

func bearerTransport(base http.RoundTripper, c Credentials) (http.RoundTripper, error) {
	if c[Token] == "" {
		return nil, fmt.Errorf("%s authentication needs a token", Bearer)
	}
	return headerTransport{next: base, name: "Authorization", value: "Bearer " + c[Token]}, nil
}

func basicHeader(next http.RoundTripper, c Credentials) http.RoundTripper {
	r := http.Request{Header: http.Header{}}
	r.SetBasicAuth(c[Username], c[Password])
	return headerTransport{next: next, name: "Authorization", value: r.Header.Get("Authorization")}
}
