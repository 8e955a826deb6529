package exchsim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// dialect is one of the two SOAP contracts the simulator serves over the
// same call table.
type dialect interface {
	// operation names a known operation, "" for anything else (op may be
	// nil when the envelope did not parse).
	operation(op *node) string
	// serve answers a request; parseErr is parseEnvelope's error.
	serve(w http.ResponseWriter, op *node, parseErr error)
	// serverBusy and connectionCount render injected throttling faults.
	serverBusy(w http.ResponseWriter, backOff time.Duration)
	connectionCount(w http.ResponseWriter, op *node)
}

// maxRequestBytes bounds a SOAP request; real ones are a few KiB.
const maxRequestBytes = 4 << 20

// soapEndpoint is the pipeline every SOAP request goes through, for both
// dialects: count, slow first byte, authentication, read and parse,
// latency, fault injection, and finally the operation.
func (s *Server) soapEndpoint(d dialect) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.stats.httpRequests.Add(1)
		if s.Faults.HangAll {
			// A server that accepts connections and never answers,
			// not even the anonymous first leg of a login.
			s.stats.fault(FaultHang)
			s.injectFault(FaultHang, d, w, r, nil)
			return
		}
		if s.Faults.SlowFirstByte > 0 {
			s.stats.fault(FaultSlowFirstByte)
			s.sleep(r.Context(), s.Faults.SlowFirstByte)
		}
		if !s.authenticate(w, r) {
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "exchsim: SOAP endpoints take POST", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				http.Error(w, "exchsim: request too large", http.StatusRequestEntityTooLarge)
			}
			return // otherwise the client went away
		}
		op, parseErr := parseEnvelope(body)
		if name := d.operation(op); name != "" {
			s.stats.request(name)
		}
		s.sleep(r.Context(), s.opts.Latency)
		if parseErr == nil && s.Faults.failsCall(op) {
			s.stats.fault(FaultHTMLError)
			s.injectFault(FaultHTMLError, d, w, r, op)
			return
		}
		if kind := s.pickFault(); kind != "" {
			s.stats.fault(kind)
			if kind == FaultReset {
				// A reset mid-response loses the answer, not the work:
				// the operation runs, as on a real server whose reply is
				// cut off, and the client cannot tell whether it did.
				d.serve(discardWriter{header: http.Header{}}, op, parseErr)
			}
			s.injectFault(kind, d, w, r, op)
			return
		}
		d.serve(w, op, parseErr)
	})
}

// sleep waits d. If the client goes away or the server closes first, it
// aborts the request: no response is written, the connection is dropped.
func (s *Server) sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		panic(http.ErrAbortHandler)
	case <-s.closing:
		panic(http.ErrAbortHandler)
	}
}

// discardWriter is a ResponseWriter that throws the response away.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}
