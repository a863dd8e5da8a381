package connect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Error is a failure the user must read: Key is a translation key
// (connect.err.*) of assets/translations/report, Data its template
// data, Err the cause (never holding a secret). Its text for the logs
// carries the data.
type Error = i18n.KeyError[room]

// room sets this flow's errors apart from the other flows' (i18n.Room).
type room struct{}

func (room) LogsData() bool { return true }

// ItemError is an item Apply could not do; Err says why.
type ItemError struct {
	Item Item
	Err  error
}

func (e *ItemError) Error() string {
	return fmt.Sprintf("%s %s %s %s: %v", e.Item.Kind, e.Item.Subsystem, e.Item.Target, e.Item.Subject, e.Err)
}

func (e *ItemError) Unwrap() error { return e.Err }

// Explain maps an error of the flow to a connect.err.* key and its data,
// each string one clean line (i18n.Line): the API's codes and metadata
// and the host's words are not ours to trust. An error of another flow's
// room is not explained here (ok false), so a front end asks that room.
func Explain(err error) (key string, data map[string]any, ok bool) {
	key, raw := explain(err)
	if key == "" {
		return "", nil, false
	}
	// The keys the messages share, so none shows "<no value>".
	data = map[string]any{"Subsystem": "", "Service": "", "Subject": "", "Detail": "", "URL": ""}
	for k, v := range raw {
		if s, isStr := v.(string); isStr {
			v = i18n.Line(s, i18n.MaxLine)
		}
		data[k] = v
	}
	var ie *ItemError
	if errors.As(err, &ie) {
		data["Subsystem"] = i18n.Line(ie.Item.Subsystem, i18n.MaxLine)
		data["Subject"] = i18n.Line(ie.Item.Subject, i18n.MaxLine)
		if data["Service"] == "" {
			data["Service"] = i18n.Line(ie.Item.Target, i18n.MaxLine)
		}
		if data["URL"] == "" {
			data["URL"] = data["Service"]
		}
	}
	return key, data, true
}

func explain(err error) (string, map[string]any) {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Key, ce.Data
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "connect.err.cancelled", nil
	}
	var ae *xroad.Error
	if !errors.As(err, &ae) {
		return "", nil
	}
	meta := strings.Join(ae.Metadata, " ")
	d := map[string]any{"Code": ae.Code, "Status": ae.Status, "Detail": meta}
	for _, c := range []struct{ code, key string }{
		{xroad.CodeUnregisteredMember, "connect.err.unregistered_member"},
		{"invalid_member_class", "connect.err.member_class"},
		{xroad.CodeInvalidCert, "connect.err.tls_cert"},
		{xroad.CodeMalformedURL, "connect.err.service_url"},
		{"invalid_service_url", "connect.err.service_url"},
		{xroad.CodeWSDLDownload, "connect.err.fetch"},
		{xroad.CodeOpenAPIParsing, "connect.err.openapi"},
		{xroad.CodeOpenAPIVersion, "connect.err.openapi_version"},
		{xroad.CodeInvalidWSDL, "connect.err.wsdl"},
		{xroad.CodeURLExists, "connect.err.taken"},
		{xroad.CodeWSDLExists, "connect.err.taken"},
		{xroad.CodeServiceCodeExists, "connect.err.taken"},
		{xroad.CodeServiceExists, "connect.err.taken"},
		{xroad.CodeServiceClientAbsent, "connect.err.subject_unknown"},
		{xroad.CodeGlobalConfOutdated, "connect.err.globalconf"},
		{"management_request_sending_failed", "connect.err.register_send"},
		{xroad.CodeActionNotPossible, "connect.err.not_possible"},
	} {
		if ae.HasCode(c.code) {
			if c.key == "connect.err.service_url" {
				d["URL"] = meta
			}
			return c.key, d
		}
	}
	switch ae.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "connect.err.forbidden", d
	case http.StatusTooManyRequests:
		return "connect.err.rate_limited", d
	}
	return "connect.err.api", d
}
