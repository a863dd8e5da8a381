package xroad

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// CreateAPIKey creates an API key with roles under HTTP basic auth (the
// API accepts that from localhost only, hence the tunnel) and makes the
// client use it. The key itself is not returned: it stays in memory here.
func (c *Client) CreateAPIKey(ctx context.Context, user, password string, roles []string) (APIKey, error) {
	var k struct {
		APIKey
		Key string `json:"key"`
	}
	cl, err := jsonCall(http.MethodPost, "/api-keys", roles)
	if err != nil {
		return APIKey{}, err
	}
	cl.basicUser, cl.basicPass = user, password
	b, _, err := c.do(ctx, cl)
	if err != nil {
		return APIKey{}, err
	}
	if err := decode(b, &k); err != nil {
		return APIKey{}, err
	}
	if k.Key == "" {
		return APIKey{}, errors.New("xroad: POST /api-keys answered without a key")
	}
	c.mu.Lock()
	c.key, c.keyID = k.Key, k.ID
	c.mu.Unlock()
	return k.APIKey, nil
}

// RevokeAPIKey revokes key id. Key management takes basic auth, not a
// key, so the credentials are asked again rather than kept in memory.
func (c *Client) RevokeAPIKey(ctx context.Context, user, password string, id int64) error {
	cl := call{method: http.MethodDelete, path: "/api-keys/" + strconv.FormatInt(id, 10), basicUser: user, basicPass: password}
	if _, _, err := c.do(ctx, cl); err != nil {
		return err
	}
	c.mu.Lock()
	if c.keyID == id { // our own key is gone: forget it
		c.key, c.keyID = "", 0
	}
	c.mu.Unlock()
	return nil
}

// getJSON and sendJSON are the shape of most calls.
func getJSON[T any](ctx context.Context, c *Client, path, query string) (T, error) {
	var v T
	b, _, err := c.do(ctx, call{method: http.MethodGet, path: path, query: query, accept: "application/json"})
	if err != nil {
		return v, err
	}
	return v, decode(b, &v)
}

func sendJSON(ctx context.Context, c *Client, method, path string, in, out any, secrets ...string) error {
	cl, err := jsonCall(method, path, in)
	if err != nil {
		return err
	}
	cl.secrets = secrets
	b, _, err := c.do(ctx, cl)
	if err != nil || out == nil {
		return err
	}
	return decode(b, out)
}

func sendBinary(ctx context.Context, c *Client, path, query string, data []byte, out any) error {
	cl := call{method: http.MethodPost, path: path, query: query, body: data, contentType: "application/octet-stream", accept: "application/json"}
	b, _, err := c.do(ctx, cl)
	if err != nil || out == nil {
		return err
	}
	return decode(b, out)
}

// Version is GET /system/version.
func (c *Client) Version(ctx context.Context) (VersionInfo, error) {
	return getJSON[VersionInfo](ctx, c, "/system/version", "")
}

// InitializationStatus is GET /initialization/status.
func (c *Client) InitializationStatus(ctx context.Context) (InitializationStatus, error) {
	return getJSON[InitializationStatus](ctx, c, "/initialization/status", "")
}

// PreviewAnchor reads an anchor's hash without saving it. validateInstance
// must be false before initialisation (the server has no instance yet).
func (c *Client) PreviewAnchor(ctx context.Context, anchor []byte, validateInstance bool) (Anchor, error) {
	var a Anchor
	q := url.Values{"validate_instance": {strconv.FormatBool(validateInstance)}}.Encode()
	return a, sendBinary(ctx, c, "/system/anchor/previews", q, anchor, &a)
}

// UploadInitialAnchor is POST /system/anchor: the initialisation-time
// upload (PUT replaces an anchor later, which the flow never does).
func (c *Client) UploadInitialAnchor(ctx context.Context, anchor []byte) error {
	return sendBinary(ctx, c, "/system/anchor", "", anchor, nil)
}

// Anchor is GET /system/anchor.
func (c *Client) Anchor(ctx context.Context) (Anchor, error) {
	return getJSON[Anchor](ctx, c, "/system/anchor", "")
}

// Initialize is POST /initialization: owner, server code and software
// token PIN.
func (c *Client) Initialize(ctx context.Context, conf InitialServerConf) error {
	return sendJSON(ctx, c, http.MethodPost, "/initialization", conf, nil, conf.SoftwareTokenPIN)
}

// ApprovedTimestampingServices is GET /timestamping-services: what global
// configuration offers.
func (c *Client) ApprovedTimestampingServices(ctx context.Context) ([]TimestampingService, error) {
	return getJSON[[]TimestampingService](ctx, c, "/timestamping-services", "")
}

// ConfiguredTimestampingServices is GET /system/timestamping-services.
func (c *Client) ConfiguredTimestampingServices(ctx context.Context) ([]TimestampingService, error) {
	return getJSON[[]TimestampingService](ctx, c, "/system/timestamping-services", "")
}

// AddTimestampingService is POST /system/timestamping-services.
func (c *Client) AddTimestampingService(ctx context.Context, ts TimestampingService) (TimestampingService, error) {
	var out TimestampingService
	return out, sendJSON(ctx, c, http.MethodPost, "/system/timestamping-services", ts, &out)
}

// Tokens is GET /tokens.
func (c *Client) Tokens(ctx context.Context) ([]Token, error) {
	return getJSON[[]Token](ctx, c, "/tokens", "")
}

// LoginToken is PUT /tokens/{id}/login with the token's PIN.
func (c *Client) LoginToken(ctx context.Context, tokenID, pin string) (Token, error) {
	var t Token
	body := struct {
		Password string `json:"password"`
	}{pin}
	return t, sendJSON(ctx, c, http.MethodPut, "/tokens/"+url.PathEscape(tokenID)+"/login", body, &t, pin)
}

// CSRSubjectFields is GET /certificate-authorities/{ca}/csr-subject-fields:
// the subject DN fields the CA's profile asks for. memberID
// (INSTANCE:CLASS:CODE) is for signing keys only; "" leaves it out.
func (c *Client) CSRSubjectFields(ctx context.Context, caName, usage, memberID string, isNewMember bool) ([]CSRSubjectField, error) {
	q := url.Values{"key_usage_type": {usage}}
	if memberID != "" {
		q.Set("member_id", memberID)
		q.Set("is_new_member", strconv.FormatBool(isNewMember))
	}
	return getJSON[[]CSRSubjectField](ctx, c, "/certificate-authorities/"+url.PathEscape(caName)+"/csr-subject-fields", q.Encode())
}

// AddKeyWithCSR is POST /tokens/{id}/keys-with-csrs: a new key labelled
// label and a CSR for it.
func (c *Client) AddKeyWithCSR(ctx context.Context, tokenID, label string, req CSRGenerate) (KeyWithCSR, error) {
	var out KeyWithCSR
	body := struct {
		KeyLabel string      `json:"key_label"`
		CSR      CSRGenerate `json:"csr_generate_request"`
	}{label, req}
	return out, sendJSON(ctx, c, http.MethodPost, "/tokens/"+url.PathEscape(tokenID)+"/keys-with-csrs", body, &out)
}

// DownloadCSR is GET /keys/{id}/csrs/{csr_id} in format (FormatDER or
// FormatPEM).
func (c *Client) DownloadCSR(ctx context.Context, keyID, csrID, format string) ([]byte, error) {
	q := url.Values{"csr_format": {format}}.Encode()
	b, _, err := c.do(ctx, call{method: http.MethodGet, path: "/keys/" + url.PathEscape(keyID) + "/csrs/" + url.PathEscape(csrID), query: q, accept: "application/octet-stream"})
	return b, err
}

// ImportCertificate is POST /token-certificates with the certificate (DER
// or PEM); the server finds the key it belongs to.
func (c *Client) ImportCertificate(ctx context.Context, cert []byte) (TokenCertificate, error) {
	var tc TokenCertificate
	return tc, sendBinary(ctx, c, "/token-certificates", "", cert, &tc)
}

// Certificate is GET /token-certificates/{hash}.
func (c *Client) Certificate(ctx context.Context, hash string) (TokenCertificate, error) {
	return getJSON[TokenCertificate](ctx, c, "/token-certificates/"+url.PathEscape(hash), "")
}

// RegisterCertificate is PUT /token-certificates/{hash}/register: asks the
// central server to register the authentication certificate for the
// server at address.
func (c *Client) RegisterCertificate(ctx context.Context, hash, address string) error {
	body := struct {
		Address string `json:"address"`
	}{address}
	return sendJSON(ctx, c, http.MethodPut, "/token-certificates/"+url.PathEscape(hash)+"/register", body, nil)
}

// ActivateCertificate is PUT /token-certificates/{hash}/activate.
func (c *Client) ActivateCertificate(ctx context.Context, hash string) error {
	return sendJSON(ctx, c, http.MethodPut, "/token-certificates/"+url.PathEscape(hash)+"/activate", nil, nil)
}

// CertificateAuthorities is GET /certificate-authorities: the approved CAs
// (top CAs only), optionally only those fit for usage ("" for all).
func (c *Client) CertificateAuthorities(ctx context.Context, usage string) ([]CertificateAuthority, error) {
	q := ""
	if usage != "" {
		q = url.Values{"key_usage_type": {usage}}.Encode()
	}
	return getJSON[[]CertificateAuthority](ctx, c, "/certificate-authorities", q)
}

// Key is GET /keys/{id}.
func (c *Client) Key(ctx context.Context, keyID string) (Key, error) {
	return getJSON[Key](ctx, c, "/keys/"+url.PathEscape(keyID), "")
}

// GenerateCSR is POST /keys/{id}/csrs: a CSR for a key already on a token
// (e.g. one made on the Rutoken before it was plugged into the server).
// The API answers the CSR itself, in req.CSRFormat; its id shows in
// GET /keys/{id} afterwards.
func (c *Client) GenerateCSR(ctx context.Context, keyID string, req CSRGenerate) ([]byte, error) {
	cl, err := jsonCall(http.MethodPost, "/keys/"+url.PathEscape(keyID)+"/csrs", req)
	if err != nil {
		return nil, err
	}
	cl.accept = "application/octet-stream"
	b, _, err := c.do(ctx, cl)
	return b, err
}

// CurrentServer is GET /security-servers?current_server=true: the
// identifier of the server the API belongs to, its owner and server code
// as initialisation saved them (X-Road 7.4.2 SecurityServersApiController.java,
// getSecurityServers over ServerConfService.getSecurityServerId). Before
// the owner is saved the server answers 500.
func (c *Client) CurrentServer(ctx context.Context) (SecurityServer, error) {
	all, err := getJSON[[]SecurityServer](ctx, c, "/security-servers", url.Values{"current_server": {"true"}}.Encode())
	if err != nil {
		return SecurityServer{}, err
	}
	if len(all) != 1 {
		return SecurityServer{}, fmt.Errorf("xroad: GET /security-servers?current_server=true answered %d servers, not one", len(all))
	}
	return all[0], nil
}
