// Package exchsim is an in-process simulator of the Microsoft Exchange
// phone-call web services, built like net/http/httptest.Server: NewServer
// listens on a loopback port, URL has no trailing slash, Close waits for
// requests in flight.
//
// It serves one table of calls through two SOAP dialects
// (shared/docs/protocol.md, beside the module, is the reference for every
// wire shape):
//
//   - EWS at /EWS/Exchange.asmx (Exchange 2010+): PlayOnPhone,
//     GetPhoneCallInformation and DisconnectPhoneCall, answered with an
//     XML declaration, an s:Header carrying t:ServerVersionInfo
//     (Exchange2010_SP2, 14.2.247.5), schema-valid body elements, in-body
//     errors (ErrorInvalidPhoneCallId: MessageText, ResponseCode,
//     DescriptiveLinkKey) and SOAP faults (ErrorSchemaValidation,
//     ErrorInvalidRequest, ErrorServerBusy) as real servers send them.
//   - The Exchange 2007 UM web service at /UnifiedMessaging/Service.asmx
//     and /EWS/UM2007Legacy.asmx: GetCallInfo, Disconnect and PlayOnPhone,
//     with every error a SOAP fault naming an exception
//     (a:InvalidCallIdException).
//
// Requests are dispatched on the namespace and local name of the Body's
// first element, never on SOAPAction, and the https:// namespace spellings
// of old documentation pages are accepted alongside the real http:// ones.
// Authentication is none, Basic, or NTLMv2 per TCP connection (see
// subpackage ntlmserver); Faults inject throttling and transport failures
// deterministically from a seed. GET /_exchsim/calls and /_exchsim/stats
// expose the table and counters as JSON, without authentication.
//
// Where it deviates from a real server:
//
//   - Calls never expire: Disconnected calls stay in the table, so their
//     ids keep answering Disconnected instead of eventually becoming
//     ErrorInvalidPhoneCallId.
//   - Disconnecting a Disconnected call succeeds (real behaviour is
//     undocumented); an unknown id gets ErrorInvalidPhoneCallId
//     (EWS) or InvalidCallIdException (2007).
//   - A call placed with PlayOnPhone shows Connecting to exactly one
//     lookup and Connected afterwards; no timers. Calls loaded from the
//     table keep their state until disconnected. Nothing is dialled, the
//     ItemId/entryId is not resolved, and the two-calls-per-user limit is
//     not enforced.
//   - Call ids from PlayOnPhone are base64("<hex>|sim.exchsim.local") like
//     a real server's, but ids in the table may be any non-empty string and
//     are never decoded or length-checked.
//   - RequestServerVersion is ignored. SIPResponseText/Code appear only for
//     Disconnected calls with a cause, with invented but plausible values.
//   - The 2007 service's server-busy fault (a:ServerBusyException) is an
//     invention: no source documents one. Malformed or unknown 2007
//     requests get a soap:Client fault.
//   - NTLM: NTLMv2 only, no signing/sealing, MIC or channel binding, and
//     no check of the blob's timestamp or TargetInfo. An empty domain
//     matches the configured one, as a server's default domain would.
package exchsim
