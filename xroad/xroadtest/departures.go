package xroadtest

import (
	"fmt"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// The published definition and the 7.4.2 code that serves it disagree in
// a few places: the controllers return other statuses than the
// definition lists, and the converters leave out fields it calls
// required. A real server answers as its code does, so the fake does too,
// and the contract it is checked against is the definition amended here,
// each amendment naming the source file that makes it. Nothing else of
// the definition is relaxed.

// statusDeparture: the operation answers status, which the definition
// does not list; its answer is checked as the definition's like one.
type statusDeparture struct {
	method, path string
	status, like string
	source       string
}

const ctrl = "src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/openapi/"

var statusDepartures = []statusDeparture{
	// previewAnchor returns new ResponseEntity<>(..., HttpStatus.OK).
	{"POST", "/system/anchor/previews", "200", "201", ctrl + "SystemApiController.java"},
	// addKeyAndCsr returns new ResponseEntity<>(result, HttpStatus.OK).
	{"POST", "/tokens/{id}/keys-with-csrs", "200", "201", ctrl + "TokensApiController.java"},
	// generateCsr and downloadCsr return
	// ControllerUtil.createAttachmentResourceResponse, which is
	// HttpStatus.OK (src/common/common-admin-api/.../openapi/ControllerUtil.java).
	{"POST", "/keys/{id}/csrs", "200", "201", ctrl + "KeysApiController.java"},
	{"GET", "/keys/{id}/csrs/{csr_id}", "200", "201", ctrl + "KeysApiController.java"},
	// ...and both throw ConflictException (409) on ActionNotPossibleException
	// (PossibleActionsRuleEngine: the token logged out, the key holding a
	// certificate).
	{"POST", "/keys/{id}/csrs", "409", "400", ctrl + "KeysApiController.java"},
	{"GET", "/keys/{id}/csrs/{csr_id}", "409", "400", ctrl + "KeysApiController.java"},
	// loginToken: ActionNotPossibleException (TOKEN_ACTIVATE is possible
	// only on a token not logged in) -> ConflictException.
	{"PUT", "/tokens/{id}/login", "409", "400", ctrl + "TokensApiController.java"},
	// registerCertificate returns HttpStatus.NO_CONTENT, and
	// GlobalConfOutdated/ActionNotPossible/KeyNotFound -> ConflictException.
	{"PUT", "/token-certificates/{hash}/register", "204", "200", ctrl + "TokenCertificatesApiController.java"},
	{"PUT", "/token-certificates/{hash}/register", "409", "400", ctrl + "TokenCertificatesApiController.java"},
	// activateCertificate: ActionNotPossibleException -> ConflictException.
	{"PUT", "/token-certificates/{hash}/activate", "409", "400", ctrl + "TokenCertificatesApiController.java"},
	// disableCertificate, unregisterAuthCertificate and deleteCertificate:
	// ActionNotPossibleException (and for unregister GlobalConfOutdated,
	// KeyNotFound) -> ConflictException.
	{"PUT", "/token-certificates/{hash}/disable", "409", "400", ctrl + "TokenCertificatesApiController.java"},
	{"PUT", "/token-certificates/{hash}/unregister", "409", "400", ctrl + "TokenCertificatesApiController.java"},
	{"DELETE", "/token-certificates/{hash}", "409", "400", ctrl + "TokenCertificatesApiController.java"},
	// deleteKey: GlobalConfOutdatedException and ActionNotPossibleException
	// -> ConflictException.
	{"DELETE", "/keys/{id}", "409", "400", ctrl + "KeysApiController.java"},
	// registerClient: GlobalConfOutdatedException and
	// ActionNotPossibleException (a client not SAVED) -> ConflictException.
	{"PUT", "/clients/{id}/register", "409", "400", ctrl + "ClientsApiController.java"},
	// enableServiceDescription returns new ResponseEntity<>(HttpStatus.OK).
	{"PUT", "/service-descriptions/{id}/enable", "200", "204", ctrl + "ServiceDescriptionsApiController.java"},
	// addServiceServiceClients returns new ResponseEntity<>(..., HttpStatus.OK).
	{"POST", "/services/{id}/service-clients", "200", "201", ctrl + "ServicesApiController.java"},
	// uploadBackup past spring.servlet.multipart.max-file-size
	// (common-application.yml: 10MB): MaxUploadSizeExceededException,
	// which src/common/common-admin-api/.../exceptions/ApplicationExceptionHandler.java
	// answers PAYLOAD_TOO_LARGE with an ErrorInfo.
	{"POST", "/backups/upload", "413", "400", "src/common/common-admin-api/src/main/java/org/niis/xroad/restapi/exceptions/ApplicationExceptionHandler.java"},
	// registerClient: a management request the central server did not
	// take is a DeviationAwareRuntimeException, 500 with its code
	// (ApplicationExceptionHandler.java); the definition lists 500 already.
}

// optionalFields: schema fields the definition requires that the code
// leaves out.
var optionalFields = []struct{ schema, field, source string }{
	// convert(CertRequestInfo) sets owner_id only when the CSR has a
	// member: authentication CSRs have none (TokensApiController passes
	// memberId null for them).
	{"TokenCertificateSigningRequest", "owner_id", "src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/converter/TokenCertificateSigningRequestConverter.java"},
	// convert(CertificateInfo) sets owner_id only when the certificate has
	// a member: TokenCertificateService.importCertificate gives an
	// authentication certificate none.
	{"TokenCertificate", "owner_id", "src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/converter/TokenCertificateConverter.java"},
	// getOcspStatus returns null for an active certificate not REGISTERED
	// (a new authentication certificate activated before its approval),
	// and common-application.yml (default-property-inclusion: NON_NULL)
	// leaves a null out.
	{"TokenCertificate", "ocsp_status", "src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/converter/TokenCertificateConverter.java"},
	// convert(X509Certificate) sets the RSA fields only for an RSA key:
	// an information system's EC certificate has none.
	{"CertificateDetails", "rsa_public_key_modulus", "src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/converter/CertificateDetailsConverter.java"},
	{"CertificateDetails", "rsa_public_key_exponent", "src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/converter/CertificateDetailsConverter.java"},
}

// longFields: string fields whose maxLength the code outgrows.
var longFields = []struct{ schema, field, source string }{
	// convert(X509Certificate): signature is CryptoUtils.encodeHex of the
	// whole signature, 512 characters for RSA-2048, past maxLength 255.
	{"CertificateDetails", "signature", "src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/converter/CertificateDetailsConverter.java"},
}

// amend applies the departures to doc; an entry that no longer fits the
// definition is an error, so a new definition cannot silently outgrow
// them.
func amend(doc *openapi3.T) error {
	for _, d := range statusDepartures {
		item := doc.Paths.Find(d.path)
		if item == nil || item.GetOperation(d.method) == nil {
			return fmt.Errorf("departure %s %s (%s): no such operation", d.method, d.path, d.source)
		}
		rs := item.GetOperation(d.method).Responses
		like := rs.Value(d.like)
		if like == nil || rs.Value(d.status) != nil {
			return fmt.Errorf("departure %s %s %s (%s): the definition lists it already, or lacks %s", d.method, d.path, d.status, d.source, d.like)
		}
		rs.Set(d.status, like)
	}
	for _, o := range optionalFields {
		s := doc.Components.Schemas[o.schema]
		if s == nil || s.Value == nil || !slices.Contains(s.Value.Required, o.field) {
			return fmt.Errorf("departure %s.%s (%s): not a required field of the definition", o.schema, o.field, o.source)
		}
		s.Value.Required = slices.DeleteFunc(slices.Clone(s.Value.Required), func(f string) bool { return f == o.field })
	}
	for _, o := range longFields {
		s := doc.Components.Schemas[o.schema]
		if s == nil || s.Value == nil || s.Value.Properties[o.field] == nil || s.Value.Properties[o.field].Value.MaxLength == nil {
			return fmt.Errorf("departure %s.%s (%s): no such bounded field", o.schema, o.field, o.source)
		}
		s.Value.Properties[o.field].Value.MaxLength = nil
	}
	return nil
}
