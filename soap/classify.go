package soap

import (
	"errors"
	"net/http"

	"github.com/callctl/callctl/authkind"
)

// Overloaded reports whether err is the exchange saying it has too much
// to do (ErrorServerBusy, ErrorExceededConnectionCount, their UM 2007
// names, HTTP 503 or 429), as opposed to something being broken. Callers
// that adapt their pace ask this instead of reading codes themselves.
func Overloaded(err error) bool {
	var (
		fault *Fault
		rerr  *ResponseError
		herr  *HTTPError
	)
	switch {
	case errors.As(err, &fault):
		return fault.hasCode(overloadCodes)
	case errors.As(err, &rerr):
		return overloadCodes[rerr.Code]
	case errors.As(err, &herr):
		return herr.StatusCode == http.StatusServiceUnavailable || herr.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// AuthFailed reports whether err is the exchange refusing the credentials
// (HTTP 401 once any handshake is over), or a login a KDC refused
// (authkind.LoginError). Sending them again would only add a failed
// login to the account's lockout count.
func AuthFailed(err error) bool {
	var herr *HTTPError
	var lerr authkind.LoginError
	if errors.As(err, &lerr) {
		return lerr.LoginRefused()
	}
	return errors.As(err, &herr) && herr.StatusCode == http.StatusUnauthorized
}

// OperationNamer is implemented by Callers that can say what their
// lookup and disconnect operations are called on the wire, so that a
// wrapper can name a request it never sent as the server would.
type OperationNamer interface {
	OperationNames() (lookup, disconnect string)
}
