package configure

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"sort"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// explain: our own errors carry their key; the API's are mapped by code,
// then by status; the tunnel's by kind. Data never holds a secret: API
// errors are scrubbed by xroad, and the rest name paths and codes.
func explain(err error) (string, map[string]any) {
	if err == nil {
		return "", nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		if ce.Data == nil {
			return ce.Key, map[string]any{}
		}
		return ce.Key, ce.Data
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "configure.err.cancelled", map[string]any{}
	}
	if errors.Is(err, xroad.ErrNoAPIKey) {
		return "configure.err.closed", map[string]any{}
	}
	var ae *xroad.Error
	if errors.As(err, &ae) {
		return explainAPI(ae)
	}
	if isTLS(err) {
		return "configure.err.tls", map[string]any{"Error": err.Error()}
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &ne) || errors.As(err, &oe) || strings.Contains(err.Error(), "ssh: ") {
		return "configure.err.tunnel", map[string]any{"Error": err.Error()}
	}
	return "configure.err.unknown", map[string]any{"Error": err.Error()}
}

func explainAPI(ae *xroad.Error) (string, map[string]any) {
	data := map[string]any{"Status": ae.Status, "Code": ae.Code, "Call": ae.Method + " " + ae.Path}
	switch {
	case ae.HasCode(xroad.CodeWeakPin):
		data["Min"] = metaAfter(ae.Metadata, "pin_min_length")
		data["Classes"] = metaAfter(ae.Metadata, "pin_min_char_classes_count")
		return "configure.err.weak_pin", data
	case ae.HasCode(xroad.CodeInvalidInitParams):
		data["Fields"] = strings.Join(ae.Metadata, ", ")
		return "configure.err.init_params", data
	case ae.HasCode(xroad.CodeAnchorWrongInstance):
		got := ""
		if len(ae.Metadata) > 0 {
			got = ae.Metadata[0]
		}
		return "configure.err.anchor_instance", map[string]any{"Got": got, "Want": ""}
	case ae.HasCode(xroad.CodeValidationFailure):
		var fields []string
		for f := range ae.ValidationErrors {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		data["Fields"] = strings.Join(fields, ", ")
		return "configure.err.validation", data
	case ae.HasCode(xroad.CodeProfileInstantiation):
		return "configure.err.profile_instantiation", data
	case ae.HasCode(xroad.CodePinIncorrect):
		return "configure.err.pin_wrong", map[string]any{"Token": ""}
	case ae.HasCode(xroad.CodeLoginFailed) && strings.Contains(strings.Join(ae.Metadata, " "), "CKR_PIN_LOCKED"):
		return "configure.err.pin_locked", map[string]any{"Token": ""}
	}
	switch ae.Status {
	case http.StatusUnauthorized:
		return "configure.err.unauthorized", data
	case http.StatusForbidden:
		return "configure.err.forbidden", data
	case http.StatusConflict:
		return "configure.err.conflict", data
	case http.StatusTooManyRequests:
		return "configure.err.rate_limited", data
	}
	return "configure.err.api", data
}

// metaAfter is the metadata value after name (the API lists pairs).
func metaAfter(meta []string, name string) string {
	for i := 0; i+1 < len(meta); i++ {
		if meta[i] == name {
			return meta[i+1]
		}
	}
	return ""
}

func isTLS(err error) bool {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var he x509.HostnameError
	var rh tls.RecordHeaderError
	var ve *tls.CertificateVerificationError
	var ae tls.AlertError
	return errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &he) || errors.As(err, &rh) ||
		errors.As(err, &ve) || errors.As(err, &ae) || strings.Contains(err.Error(), "tls: ")
}
