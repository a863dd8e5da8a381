package xroad

import (
	"context"
	"net/http"
	"net/url"
)

// The calls a renewal needs besides the first registration's: the old
// certificates taken out of service and, when asked, their keys deleted
// (X-Road 7.4.2 TokenCertificatesApiController.java, KeysApiController.java).

// DisableCertificate is PUT /token-certificates/{hash}/disable: the
// certificate is no longer used to sign or to authenticate.
func (c *Client) DisableCertificate(ctx context.Context, hash string) error {
	return sendJSON(ctx, c, http.MethodPut, "/token-certificates/"+url.PathEscape(hash)+"/disable", nil, nil)
}

// UnregisterCertificate is PUT /token-certificates/{hash}/unregister:
// the authentication certificate's deletion request goes to the central
// server and the certificate's status becomes DELETION_IN_PROGRESS.
func (c *Client) UnregisterCertificate(ctx context.Context, hash string) error {
	return sendJSON(ctx, c, http.MethodPut, "/token-certificates/"+url.PathEscape(hash)+"/unregister", nil, nil)
}

// DeleteCertificate is DELETE /token-certificates/{hash}.
func (c *Client) DeleteCertificate(ctx context.Context, hash string) error {
	return sendJSON(ctx, c, http.MethodDelete, "/token-certificates/"+url.PathEscape(hash), nil, nil)
}

// DeleteKey is DELETE /keys/{id}: the key with its CSRs and certificates.
// Without ignoreWarnings an authentication key holding a registered
// certificate is refused (400 warnings_detected,
// auth_key_with_registered_cert_warning); with it that certificate is
// unregistered first.
func (c *Client) DeleteKey(ctx context.Context, keyID string, ignoreWarnings bool) error {
	cl, err := jsonCall(http.MethodDelete, "/keys/"+url.PathEscape(keyID), nil)
	if err != nil {
		return err
	}
	if ignoreWarnings {
		cl.query = url.Values{"ignore_warnings": {"true"}}.Encode()
	}
	_, _, err = c.do(ctx, cl)
	return err
}
