package xroadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/tunduk-onboard/tunduk-onboard/internal/srcdir"
)

// specName is the definition in xroad/testdata, found from the module
// root so that any package's tests can load it.
const specName = "openapi-security-server-7.4.2.yaml"

// commonDefs stands in for the X-Road sources' shared definition file the
// spec refers to ("../../.../common-openapi-definition.yaml"): the error
// body every endpoint returns, written from the API's own description.
const commonDefs = `
openapi: 3.0.0
info: {title: common, version: "1"}
paths: {}
components:
  schemas:
    CodeWithDetails:
      type: object
      required: [code]
      properties:
        code: {type: string}
        metadata: {type: array, items: {type: string}}
        validation_errors:
          type: object
          additionalProperties: {type: array, items: {type: string}}
    ErrorInfo:
      type: object
      required: [status]
      properties:
        status: {type: integer, format: int32}
        error: {$ref: '#/components/schemas/CodeWithDetails'}
        warnings: {type: array, items: {$ref: '#/components/schemas/CodeWithDetails'}}
    User:
      type: object
      required: [username, roles, permissions]
      properties:
        username: {type: string}
        roles: {type: array, items: {type: string}}
        permissions: {type: array, items: {type: string}}
  examples:
    ErrorExample:
      value: {status: 400, error: {code: example}}
    ErrorWithMetadataExample:
      value: {status: 400, error: {code: example, metadata: [x]}}
`

// contract is the loaded spec and a router over it.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	contractOnce sync.Once
	contractVal  *contract
	contractErr  error
)

// loadContract parses and validates the spec once per test binary.
func loadContract(t testing.TB) *contract {
	t.Helper()
	contractOnce.Do(func() { contractVal, contractErr = parseContract() })
	if contractErr != nil {
		t.Fatal(contractErr)
	}
	return contractVal
}

func parseContract() (*contract, error) {
	l := openapi3.NewLoader()
	l.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if strings.HasSuffix(u.Path, "common-openapi-definition.yaml") {
			return []byte(commonDefs), nil
		}
		if strings.HasSuffix(u.Path, specName) {
			return openapi3.ReadFromFile(l, u)
		}
		return nil, fmt.Errorf("the contract refers to an unexpected file %s", u)
	}
	file, err := srcdir.Path("xroad/testdata/" + specName)
	if err != nil {
		return nil, err
	}
	doc, err := l.LoadFromFile(file)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", specName, err)
	}
	// The published file has a few examples that break their own schemas
	// (an OCSP status "IN_USE"); the schemas themselves must be sound.
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("%s is not a valid OpenAPI document: %w", specName, err)
	}
	if err := amend(doc); err != nil {
		return nil, err
	}
	// Routes match on the path only: the tunnel's host name is ours.
	doc.Servers = openapi3.Servers{{URL: "/api/v1"}}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &contract{doc: doc, router: r}, nil
}

// Violation is one request or response that broke the spec.
type Violation struct {
	Method, Path, Side string
	Err                error
}

// validating wraps a handler: each request is checked against the spec
// before the handler sees it, each response after the handler wrote it and
// before it leaves. Violations are recorded, and a broken request is
// answered 400 "contract_violation" without reaching the handler.
type validating struct {
	c        *contract
	next     http.Handler
	authOK   func(header string) bool
	gone     func(header string) bool   // a key the fake issued that is gone
	exempt   func(r *http.Request) bool // calls outside the spec, checked by the fake itself
	mu       sync.Mutex
	problems []Violation
}

func (v *validating) record(r *http.Request, side string, err error) {
	v.mu.Lock()
	v.problems = append(v.problems, Violation{r.Method, r.URL.Path, side, err})
	v.mu.Unlock()
}

func (v *validating) violations() []Violation {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Violation(nil), v.problems...)
}

// take returns the violations so far and forgets them.
func (v *validating) take() []Violation {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := v.problems
	v.problems = nil
	return out
}

func (v *validating) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if v.exempt != nil && v.exempt(r) {
		v.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := v.c.router.FindRoute(r)
	if err != nil {
		v.record(r, "request", fmt.Errorf("no such operation: %w", err))
		writeViolation(w)
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == "/api/v1/system/version" && r.Header.Get("Authorization") == "" {
		// The install's probe of a live API (xroad.AdminAPI.Probe) asks
		// without credentials on purpose: X-Road 7.4.2
		// ApiWebSecurityConfig.java authenticates /api/**,
		// Http401AuthenticationEntryPoint.java hands the failure to
		// ApplicationExceptionHandler.java (AuthenticationException): 401,
		// {"status":401}. Any other call without a key is a client's
		// mistake, recorded below.
		writeJSON(w, http.StatusUnauthorized, map[string]any{"status": http.StatusUnauthorized})
		return
	}
	if v.gone != nil && v.gone(r.Header.Get("Authorization")) {
		// A key that was real and is no more (revoked, or made after the
		// backup a restore brought back): X-Road 7.4.2
		// ApiKeyAuthenticationManager.java throws BadCredentialsException
		// ("The API key was not found"), ApplicationExceptionHandler.java
		// answers 401, {"status":401}. A key never issued stays a
		// client's mistake, recorded below.
		writeJSON(w, http.StatusUnauthorized, map[string]any{"status": http.StatusUnauthorized})
		return
	}
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{
			MultiError:            true,
			IncludeResponseStatus: true,
			// Filling in defaults would let a required field the client
			// forgot (csr_format, which has a default) pass unnoticed.
			SkipSettingDefaults: true,
			AuthenticationFunc: func(_ context.Context, a *openapi3filter.AuthenticationInput) error {
				if a.SecuritySchemeName == "ApiKeyAuth" && v.authOK(r.Header.Get("Authorization")) {
					return nil
				}
				return errors.New("no valid X-Road-ApiKey header")
			},
		},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		v.record(r, "request", err)
		writeViolation(w)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	v.next.ServeHTTP(rec, r)
	// 429 is the API's rate limit (user guide), not part of any operation.
	if rec.Code != http.StatusTooManyRequests {
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: rec.Code, Header: rec.Header(), Options: in.Options,
		}
		out.SetBodyBytes(rec.Body.Bytes())
		if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
			v.record(r, "response", err)
		}
	}
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func writeViolation(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	io.WriteString(w, `{"status":400,"error":{"code":"contract_violation"}}`)
}
