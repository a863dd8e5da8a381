package metaservice

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Service is one REST service the answer lists, its texts as the server
// sent them (shown only through i18n.Line).
type Service struct {
	Instance    string     `json:"xroad_instance"`
	MemberClass string     `json:"member_class"`
	MemberCode  string     `json:"member_code"`
	Subsystem   string     `json:"subsystem_code,omitempty"`
	Code        string     `json:"service_code"`
	Version     string     `json:"service_version,omitempty"`
	Type        string     `json:"service_type"` // REST or OPENAPI
	Endpoints   []Endpoint `json:"endpoint_list,omitempty"`
}

// Endpoint is one method and path of a service ("*" wildcards allowed).
type Endpoint struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

// Result is a successful call.
type Result struct {
	Services  []Service     `json:"services"`
	Status    int           `json:"status"`
	QueryID   string        `json:"query_id,omitempty"`   // X-Road-Id of the answer
	RequestID string        `json:"request_id,omitempty"` // X-Road-Request-Id
	Elapsed   time.Duration `json:"elapsed_ns"`
}

// listAnswer is the body of listMethods and allowedMethods: the JAXB
// RestServiceDetailsListType written by Jackson with SNAKE_CASE naming
// and NON_NULL inclusion (RestMetadataServiceHandlerImpl.java,
// service-metainfo.xsd; the example in pr-mrest Annex B.1).
type listAnswer struct {
	Service *[]Service `json:"service"` // nil: not a list at all
}

// xroadError is the error body of the client side
// (ClientRestMessageHandler.sendErrorResponse: type, message, detail).
type xroadError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
}

// parse reads resp within bounds: a 200 with the list, or an error the
// security server (X-Road-Error) or something else sent.
func parse(res Result, resp *http.Response) (Result, error) {
	xr := resp.Header.Get("X-Road-Error")
	if resp.StatusCode != http.StatusOK || xr != "" {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return res, answerError(resp.StatusCode, xr, body)
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return res, &Error{Key: "call.err.unreachable", Data: map[string]any{"Reason": i18n.Line(err.Error(), 200)}, Err: err}
	}
	if len(body) > maxBody {
		return res, &Error{Key: "call.err.too_big", Data: map[string]any{"Limit": maxBody >> 20}}
	}
	if ct != "application/json" {
		return res, &Error{Key: "call.err.not_xroad", Data: map[string]any{"Status": resp.StatusCode}}
	}
	var a listAnswer
	if err := json.Unmarshal(body, &a); err != nil || a.Service == nil {
		if err == nil {
			err = errors.New(`no "service" list`)
		}
		return res, &Error{Key: "call.err.bad_answer", Err: err}
	}
	res.Services = append([]Service{}, (*a.Service)...)
	return res, nil
}
