package metaservice

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Error is a failed call a person reads: Key is a translation key
// ("call.err.*", report catalogue) saying what happened and what to do,
// Data its values. Type and Message are the security server's own
// (X-Road-Error's type and the error body's message), already escaped.
type Error struct {
	Key     string
	Data    map[string]any
	Type    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	s := e.Key
	if e.Type != "" {
		s += " (" + e.Type + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	} else if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Explain maps err to a translation key and its data for i18n.T; the
// security server's type and message are in the data (Type, Message).
func Explain(err error) (key string, data map[string]any) {
	var e *Error
	if !errors.As(err, &e) {
		if err == nil {
			return "", nil
		}
		return "call.err.other", map[string]any{"Error": i18n.Line(err.Error(), i18n.MaxLine)}
	}
	data = map[string]any{"Type": e.Type, "Message": e.Message}
	for k, v := range e.Data {
		data[k] = v
	}
	return e.Key, data
}

// transportError: the call did not get an answer.
func transportError(t Target, err error) error {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err // the URL is said apart
	}
	reason := i18n.Line(cause.Error(), 200)
	d := map[string]any{"URL": i18n.Line(t.URL, 200), "Reason": reason}
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	switch {
	case errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &hn):
		return &Error{Key: "call.err.server_cert", Data: d, Err: err}
	case strings.Contains(err.Error(), "tls: ") || strings.Contains(err.Error(), "remote error"):
		// The client side refused the handshake: with HTTPS and client
		// authentication it wants the information system's certificate.
		return &Error{Key: "call.err.tls", Data: d, Err: err}
	case strings.Contains(err.Error(), "malformed HTTP response"):
		// An HTTP request to the HTTPS port (or another service).
		return &Error{Key: "call.err.not_xroad", Data: map[string]any{"Status": 0}, Err: err}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &Error{Key: "call.err.timeout", Data: d, Err: err}
	}
	return &Error{Key: "call.err.unreachable", Data: d, Err: err}
}

// answerError explains an answer that is not the list. The security
// server marks its own errors with X-Road-Error and writes type, message
// and detail (ClientRestMessageHandler.sendErrorResponse); the type is
// the fault code with its component's prefix: Client.*, Server.ClientProxy.*
// (this server, as the client's), Server.ServerProxy.* (the provider's
// server; here the same one), ErrorCodes.java.
func answerError(status int, header string, body []byte) error {
	var xe xroadError
	if header == "" {
		// Not from X-Road (pr-rest 4.6 example 5 A): a web server, a proxy.
		return &Error{Key: "call.err.not_xroad", Data: map[string]any{"Status": status}}
	}
	_ = json.Unmarshal(body, &xe)
	typ := xe.Type
	if typ == "" {
		typ = header
	}
	e := &Error{Type: i18n.Line(typ, 200), Message: i18n.Line(xe.Message, i18n.MaxLine), Data: map[string]any{"Status": status}}
	e.Key = classify(typ, xe.Message)
	return e
}

// classify picks the explanation for an X-Road fault: by its code, and
// where one code covers several causes, by the message the Java code
// writes (quoted beside each case).
func classify(typ, msg string) string {
	code := typ
	if i := strings.LastIndex(typ, "."); i >= 0 {
		code = typ[i+1:]
	}
	has := func(s string) bool { return strings.Contains(msg, s) }
	switch {
	case code == "OutdatedGlobalConf":
		// GlobalConf.verifyValidity: "Global configuration is expired";
		// ConfigurationParser: "Configuration instance %s expired on %s".
		return "call.err.globalconf"
	case has("has no valid authentication certificate"):
		// ClientRestMessageHandler.verifyCanProcess (SslAuthenticationFailed):
		// no authentication certificate that is registered, active and has
		// a good OCSP response (KeyConfImpl.getAuthKey).
		return "call.err.auth_cert"
	case has("specifies HTTPS NO AUTH but client made plaintext connection"),
		has("specifies HTTPS but did not supply TLS certificate"):
		// IsAuthentication.verifyClientAuthentication.
		return "call.err.is_https"
	case has("has no IS certificates"), has("does not match any IS certificates"), has("TLS certificate is expired"), has("TLS certificate is not yet valid"):
		// IsAuthentication.verifyClientAuthentication, SSLAUTH.
		return "call.err.is_cert"
	case has("has no suitable certificates"), has("Could not find any certificates for member"):
		// GetMemberSigningInfoReqHandler: no signing certificate that is
		// registered, active, valid and with a good OCSP response.
		return "call.err.sign_cert"
	case code == "CertValidation" || has("OCSP response"):
		// OcspVerifier.verifyStatus: "OCSP response indicates certificate
		// status is UNKNOWN|REVOKED|INVALID".
		return "call.err.ocsp"
	case code == "UnknownMember" && has("Could not find addresses for service provider"),
		code == "UnknownMember" && has("Could not find suitable address"):
		// AbstractClientMessageProcessor.getServiceAddresses: the provider
		// is not in the global configuration (not registered yet, or this
		// server has not downloaded the configuration that has it).
		return "call.err.provider_unknown"
	case code == "UnknownMember", code == "InvalidClientIdentifier":
		// AbstractClientMessageProcessor.verifyClientStatus,
		// ServerRestMessageProcessor: "Client '%s' not found" (the
		// subsystem is not on this server, or not registered yet).
		return "call.err.not_registered"
	case code == "AccessDenied":
		// ServerMessageProcessor.verifyAccess: "Request is not allowed".
		return "call.err.denied"
	case code == "UnknownService", code == "ServiceDisabled", code == "ServiceMissingUrl":
		return "call.err.service"
	case code == "SslAuthenticationFailed":
		// AuthTrustVerifier, FastestConnectionSelectingSSLSocketFactory:
		// the TLS between the security servers failed.
		return "call.err.ss_tls"
	case strings.HasPrefix(code, "ServiceFailed") || strings.Contains(typ, ".ServiceFailed") || code == "NetworkError" || code == "IOError":
		return "call.err.service_failed"
	case strings.HasPrefix(typ, "Client."):
		return "call.err.bad_request"
	}
	return "call.err.xroad"
}
