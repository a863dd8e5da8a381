package xroadtest

// The diagnostics of a running server (issue 16), as X-Road
// 7.4.2 openapi/DiagnosticsApiController.java answers them (every call
// HttpStatus.OK) from service/DiagnosticService.java, which asks the
// proxy's and the confclient's admin ports; the converters
// converter/GlobalConfDiagnosticConverter.java,
// OcspResponderDiagnosticConverter.java and
// TimestampingServiceDiagnosticConverter.java map a return code to a
// status code and, by DiagnosticStatusClassMapping.java, a class:
// success OK, the *_UNINITIALIZED codes WAITING, any other FAIL.

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// diag is what the fake's diagnostics answer; the zero value is a
// server whose confclient and proxy are fine.
type diag struct {
	confAge  time.Duration // since the last global configuration download
	confCode string        // "" = SUCCESS
	ocspURL  string        // "" = DefaultOCSPURL
	ocspCode string        // "" = SUCCESS
	tsaCode  string        // "" = SUCCESS
}

// DefaultOCSPURL is the test CA's OCSP responder in global configuration.
// guess: Tunduk's responder port (62301, REQUIREMENTS.md) is unverified.
const DefaultOCSPURL = "http://ocsp.tunduk.test:62301"

func (s *Server) diagRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/diagnostics/globalconf", s.globalConf)
	mux.HandleFunc("GET /api/v1/diagnostics/ocsp-responders", s.ocspResponders)
	mux.HandleFunc("GET /api/v1/diagnostics/timestamping-services", s.tsaDiag)
	// AddOnStatusConverter.java: messagelog_enabled as the proxy reports
	// the add-on; the flat packages install xroad-addon-messagelog.
	mux.HandleFunc("GET /api/v1/diagnostics/addon-status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"messagelog_enabled": true})
	})
	// BackupEncryptionStatusConverter.java; off by default in 7.4.2
	// (backup-encryption-enabled false, SystemProperties.java).
	mux.HandleFunc("GET /api/v1/diagnostics/backup-encryption-status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"backup_encryption_status": s.opt.BackupEncryption})
	})
	// MessageLogEncryptionStatusConverter.java; encryption off and
	// grouping "NONE" by default (MessageLogProperties.java).
	mux.HandleFunc("GET /api/v1/diagnostics/message-log-encryption-status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"message_log_archive_encryption_status": false,
			"message_log_database_encryption_status": false, "message_log_grouping_rule": "NONE"})
	})
}

// globalConf: the confclient's status (ConfigurationStatusMapping.java);
// prev_update_at is its last run, next_update_at a minute later (the
// confclient's 60-second interval, SystemProperties.java).
func (s *Server) globalConf(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.diag
	s.mu.Unlock()
	code, class := codeClass(d.confCode, "ERROR_CODE_UNINITIALIZED")
	prev := time.Now().Add(-d.confAge)
	writeJSON(w, http.StatusOK, map[string]any{"status_class": class, "status_code": code,
		"prev_update_at": stamp(prev), "next_update_at": stamp(prev.Add(time.Minute))})
}

// ocspResponders: one CA (the test CA) with its responder; the signer's
// OCSP client refreshes every 20 minutes (ocspFetchInterval, 1200 s).
func (s *Server) ocspResponders(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.diag
	s.mu.Unlock()
	url := d.ocspURL
	if url == "" {
		url = DefaultOCSPURL
	}
	code, class := codeClass(d.ocspCode, "ERROR_CODE_OCSP_UNINITIALIZED")
	prev := time.Now().Add(-5 * time.Minute)
	resp := map[string]any{"url": url, "status_class": class, "status_code": code,
		"next_update_at": stamp(prev.Add(20 * time.Minute))}
	if class != xroad.DiagWaiting {
		resp["prev_update_at"] = stamp(prev)
	}
	writeJSON(w, http.StatusOK, []any{map[string]any{"distinguished_name": s.ca.cert.Subject.String(), "ocsp_responders": []any{resp}}})
}

// tsaDiag: one entry per configured TSA (the proxy's timestamper status
// map, keyed by URL).
func (s *Server) tsaDiag(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d, tsas := s.diag, append([]xroad.TimestampingService(nil), s.configuredTSA...)
	s.mu.Unlock()
	code, class := codeClass(d.tsaCode, "ERROR_CODE_TIMESTAMP_UNINITIALIZED")
	out := []any{}
	for _, t := range tsas {
		out = append(out, map[string]any{"url": t.URL, "status_class": class, "status_code": code,
			"prev_update_at": stamp(time.Now().Add(-time.Minute))})
	}
	writeJSON(w, http.StatusOK, out)
}

// codeClass is DiagnosticStatusClassMapping.java for a status code.
func codeClass(code, waiting string) (string, string) {
	switch {
	case code == "" || code == "SUCCESS":
		return "SUCCESS", xroad.DiagOK
	case code == waiting:
		return code, xroad.DiagWaiting
	}
	return code, xroad.DiagFail
}

// SetGlobalConfAge makes the last global configuration download age old
// (a stalled confclient, an unreachable central server).
func (s *Server) SetGlobalConfAge(age time.Duration) { s.setDiag(func(d *diag) { d.confAge = age }) }

// SetGlobalConfStatus sets the confclient's status code (ConfigurationStatus).
func (s *Server) SetGlobalConfStatus(code string) { s.setDiag(func(d *diag) { d.confCode = code }) }

// SetOCSP sets the OCSP responder's address ("" keeps DefaultOCSPURL)
// and status code (OcspStatus; "" is SUCCESS).
func (s *Server) SetOCSP(url, code string) {
	s.setDiag(func(d *diag) { d.ocspURL, d.ocspCode = url, code })
}

// SetTSAStatus sets every time-stamping service's status code.
func (s *Server) SetTSAStatus(code string) { s.setDiag(func(d *diag) { d.tsaCode = code }) }

// SetTSAURL points every configured time-stamping service at url.
func (s *Server) SetTSAURL(url string) {
	s.mu.Lock()
	for i := range s.configuredTSA {
		s.configuredTSA[i].URL = url
	}
	s.mu.Unlock()
}

// SetBackups replaces the backups the server lists; each holds the state
// of now, its file made when first read.
func (s *Server) SetBackups(b ...xroad.Backup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setBackups(b)
}

func (s *Server) setBackups(b []xroad.Backup) {
	sn := s.snap()
	s.backups = nil
	for _, x := range b {
		at, _ := time.Parse("2006-01-02T15:04:05.000Z", x.CreatedAt)
		s.backups = append(s.backups, &fakeBackup{name: x.Filename, created: at, snap: sn})
	}
}

func (s *Server) setDiag(f func(*diag)) {
	s.mu.Lock()
	f(&s.diag)
	s.mu.Unlock()
}

// BackupAt is a backup file named as one made through the API
// (SecurityServerConfigurationBackupGenerator.java; X-Road's daily
// automatic ones are "ss-automatic-backup-YYYY_MM_DD_HHMMSS.gpg",
// autobackup_xroad_proxy_configuration.sh).
func BackupAt(t time.Time) xroad.Backup {
	return xroad.Backup{Filename: "conf_backup_" + t.UTC().Format("20060102-150405") + ".gpg", CreatedAt: stamp(t)}
}

// Operate makes the fake a server in service: initialised, the software
// token logged in with an authentication certificate registered and a
// signing certificate, both active with a good OCSP response and days
// of validity, a TSA configured, a registered subsystem, a backup of a
// day ago. Tests of health then break one thing each.
func (s *Server) Operate(t testing.TB, days int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.Anchor(Instance)
	s.anchorInstance, s.anchorHash, s.anchorAt = Instance, AnchorHash(a), time.Now()
	if s.serverCode == "" {
		s.serverCode = "SS1"
	}
	if s.ownerCode == "" {
		s.ownerClass, s.ownerCode, s.ownerInstance = "COM", "60000001", Instance
	}
	if s.softPIN == "" {
		s.softPIN = "Tunduk-soft-token-PIN-2026"
	}
	s.loggedIn, s.softStatus = true, "OK"
	s.configuredTSA = []xroad.TimestampingService{ApprovedTSA}
	s.registeredAddr = OperatedAddress
	notAfter := time.Now().Add(time.Duration(days) * 24 * time.Hour)
	for _, u := range []string{xroad.UsageAuthentication, xroad.UsageSigning} {
		k := newHWKey(t)
		k.token, k.usage, k.label = xroad.SoftwareTokenID, u, strings.ToLower(u)
		ku, status, owner := x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment, xroad.CertRegistered, ""
		if u == xroad.UsageSigning {
			ku, owner = x509.KeyUsageContentCommitment, s.ownerID()
		}
		der := s.ca.certFor(t, &k.priv.PublicKey, "SS1 "+u, ku, notAfter)
		c, _ := x509.ParseCertificate(der)
		s.keys = append(s.keys, k)
		s.certs[CertHash(der)] = &fakeCert{der: der, cert: c, key: k, owner: owner, status: status, active: true, ocsp: xroad.OCSPGood}
	}
	s.clients = append(s.clients, &fakeClient{class: s.ownerClass, code: s.ownerCode, sub: "crm", conn: "HTTPS", status: xroad.ClientRegistered})
	s.setBackups([]xroad.Backup{BackupAt(time.Now().Add(-24 * time.Hour))})
}

// OperatedAddress is the address the server in service (Operate)
// registered its authentication certificate with.
const OperatedAddress = "ss1.tunduk-test.kg"

// certFor is a certificate of the test CA for pub, valid until notAfter.
func (ca *testCA) certFor(t testing.TB, pub *rsa.PublicKey, cn string, ku x509.KeyUsage, notAfter time.Time) []byte {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn, Country: []string{"KG"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter, KeyUsage: ku}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// SetCertOCSP sets the OCSP status (xroad.OCSP*) of every certificate of
// usage (xroad.Usage*): an OCSP response stuck at unknown, a revoked one.
func (s *Server) SetCertOCSP(usage, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.certs {
		if c.key.usage == usage {
			c.ocsp = status
		}
	}
}

// LogOutToken logs one token out (xroad.SoftwareTokenID or HWTokenID),
// as a restart of the signer does to a hardware token.
func (s *Server) LogOutToken(id string) {
	s.mu.Lock()
	if id == HWTokenID {
		s.hwLoggedIn = false
	} else {
		s.loggedIn = false
	}
	s.mu.Unlock()
}

// MoveSigningKeyToHW puts the signing key (and its certificate) on the
// hardware token, logged in: the Rutoken placement.
func (s *Server) MoveSigningKeyToHW() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.HardwareToken, s.hwLoggedIn = true, true
	for _, k := range s.keys {
		if k.usage == xroad.UsageSigning {
			k.token = HWTokenID
		}
	}
}
