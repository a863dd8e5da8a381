package xroad

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error codes the flow translates for the operator. The API sends them
// bare ("weak_pin") or, in later releases, with a domain prefix
// ("core.weak_pin"); HasCode accepts both.
const (
	CodeWeakPin             = "weak_pin"
	CodeInvalidInitParams   = "invalid_init_params"
	CodeWarningsDetected    = "warnings_detected"
	CodeAnchorWrongInstance = "internal_anchor_upload_invalid_instance_id"
	CodeValidationFailure   = "validation_failure"
	// CodePinIncorrect: a token refused the PIN (DeviationCodes.ERROR_PIN_INCORRECT).
	CodePinIncorrect = "pin_incorrect"
	// CodeFullyInitialized: POST /initialization on a server with
	// nothing left to initialise (ERROR_SERVER_ALREADY_FULLY_INITIALIZED, 409).
	CodeFullyInitialized = "server_already_fully_initialized"
	// CodeLoginFailed: a token login the signer failed otherwise than
	// on a wrong PIN (X_LOGIN_FAILED through ExceptionTranslator's "core."
	// prefix), e.g. "Login failed: CKR_PIN_LOCKED" in its metadata.
	CodeLoginFailed = "core.Signer.LoginFailed"
	// CodeProfileInstantiation: the CA's certificate profile class could
	// not be loaded (DeviationCodes.ERROR_INSTANTIATION_FAILED, 500 from
	// CertificateAuthorityService.getCertificateProfile): the class
	// global configuration names is not in the installed X-Road.
	CodeProfileInstantiation = "certificate_profile_instantiation_failure"
)

// Detail is a code with its metadata: the API's CodeWithDetails.
type Detail struct {
	Code             string              `json:"code"`
	Metadata         []string            `json:"metadata,omitempty"`
	ValidationErrors map[string][]string `json:"validation_errors,omitempty"`
}

// errorInfo is the API's ErrorInfo body.
type errorInfo struct {
	Status   int      `json:"status"`
	Error    *Detail  `json:"error"`
	Warnings []Detail `json:"warnings"`
}

// Error is a call the API answered with a non-2xx status. Code and
// Warnings come from the ErrorInfo body when there is one.
type Error struct {
	Method, Path string // path only: ids, never a secret
	Status       int
	Detail                // Code, Metadata, ValidationErrors
	Warnings     []Detail // ignorable unless the flow says otherwise
	RetryAfter   time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
	}
	if len(e.Metadata) > 0 {
		fmt.Fprintf(&b, " %q", e.Metadata)
	}
	for _, w := range e.Warnings {
		fmt.Fprintf(&b, "; warning %s", w.Code)
		if len(w.Metadata) > 0 {
			fmt.Fprintf(&b, " %q", w.Metadata)
		}
	}
	return b.String()
}

// HasCode says whether the error or one of its warnings carries code,
// bare or with a domain prefix.
func (e *Error) HasCode(code string) bool {
	if sameCode(e.Code, code) {
		return true
	}
	for _, w := range e.Warnings {
		if sameCode(w.Code, code) {
			return true
		}
	}
	return false
}

func sameCode(got, want string) bool {
	return got == want || strings.HasSuffix(got, "."+want)
}

// parseError turns a failed answer into *Error, scrubbing secrets from
// whatever the server chose to echo.
func parseError(method, path string, status int, h http.Header, body []byte, secrets []string) *Error {
	e := &Error{Method: method, Path: path, Status: status, RetryAfter: retryAfter(h)}
	var info errorInfo
	if json.Unmarshal(body, &info) == nil {
		if info.Error != nil {
			e.Detail = scrubDetail(*info.Error, secrets)
		}
		for _, w := range info.Warnings {
			e.Warnings = append(e.Warnings, scrubDetail(w, secrets))
		}
	}
	return e
}

func scrubDetail(d Detail, secrets []string) Detail {
	d.Code = scrub(d.Code, secrets)
	for i := range d.Metadata {
		d.Metadata[i] = scrub(d.Metadata[i], secrets)
	}
	clean := map[string][]string{}
	for k, vs := range d.ValidationErrors {
		var out []string
		for _, v := range vs {
			out = append(out, scrub(v, secrets))
		}
		clean[scrub(k, secrets)] = out
	}
	if len(clean) > 0 {
		d.ValidationErrors = clean
	} else {
		d.ValidationErrors = nil
	}
	return d
}
