package profile

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Health holds the thresholds the health of an installed server is
// judged by (issue 16). The operator's monitoring warns 30, 14 and 7
// days before a certificate expires (its offer contract, seed 003).
type Health struct {
	// CertExpiryDays: the first is a warning, each later one critical
	// (descending): [30, 14, 7]. An alert goes out on each crossing.
	CertExpiryDays []int `json:"cert_expiry_days"`
	// GlobalConfWarnSeconds and GlobalConfCriticalSeconds bound the age
	// of the last global configuration download. X-Road's confclient
	// downloads every 60 s and a configuration expires after 600 s
	// (X-Road 7.4.2 SystemProperties.java, configuration-client.update-interval
	// and the instance's expire-in), so 5 and 10 minutes.
	GlobalConfWarnSeconds     int `json:"globalconf_warn_seconds"`
	GlobalConfCriticalSeconds int `json:"globalconf_critical_seconds"`
	// ClockWarnSeconds and ClockCriticalSeconds bound the difference
	// between the server's clock and this computer's, beyond the
	// measurement's own uncertainty.
	ClockWarnSeconds     float64 `json:"clock_warn_seconds"`
	ClockCriticalSeconds float64 `json:"clock_critical_seconds"`
	// BackupWarnDays and BackupCriticalDays bound the newest backup's age.
	BackupWarnDays     int `json:"backup_warn_days"`
	BackupCriticalDays int `json:"backup_critical_days"`
	// DataPaths are where X-Road keeps data, each checked for free space
	// against MinFreeBytes (warning) and half of it (critical).
	DataPaths    []string `json:"data_paths"`
	MinFreeBytes uint64   `json:"min_free_bytes"`
	// ArchivePath is the message log archive (kept three years).
	ArchivePath string `json:"archive_path"`
	// ArchiveRunwayDays: a warning when the free space of the archive's
	// disk runs out within so many days at the archive's growth (status
	// remembers its size between runs). 0: 30.
	ArchiveRunwayDays int `json:"archive_runway_days,omitempty"`
	// Endpoints are addresses the server must reach besides those the
	// anchor and the server's diagnostics name (host:port), e.g. the
	// operator's OCSP and time-stamping ports.
	Endpoints []string `json:"endpoints,omitempty"`
	// ProbeSeconds bounds each TCP connect of the network path.
	ProbeSeconds int `json:"probe_seconds"`
}

// DefaultHealth is used when a profile has no "health" section.
func DefaultHealth() Health {
	return Health{CertExpiryDays: []int{30, 14, 7}, GlobalConfWarnSeconds: 300, GlobalConfCriticalSeconds: 600,
		ClockWarnSeconds: 2, ClockCriticalSeconds: 10, BackupWarnDays: 7, BackupCriticalDays: 30,
		DataPaths: []string{"/var/lib/xroad", "/var/lib/postgresql"}, MinFreeBytes: 10 << 30,
		ArchivePath: "/var/lib/xroad", ArchiveRunwayDays: 30, ProbeSeconds: 3}
}

func (h *Health) isZero() bool {
	return h.CertExpiryDays == nil && h.DataPaths == nil && h.GlobalConfWarnSeconds == 0 && h.ProbeSeconds == 0 && h.ArchivePath == ""
}

var endpointRE = regexp.MustCompile(`^[A-Za-z0-9.-]+:[0-9]{1,5}$`)

func (h *Health) validate() *Error {
	bad := func(field, problem string) *Error { return &Error{Field: "health." + field, Problem: problem} }
	if len(h.CertExpiryDays) == 0 {
		return bad("cert_expiry_days", "must list at least one number of days")
	}
	for i, d := range h.CertExpiryDays {
		if d <= 0 || (i > 0 && d >= h.CertExpiryDays[i-1]) {
			return bad("cert_expiry_days", "must be positive and descending, e.g. [30, 14, 7]")
		}
	}
	switch {
	case h.GlobalConfWarnSeconds <= 0 || h.GlobalConfCriticalSeconds < h.GlobalConfWarnSeconds:
		return bad("globalconf_warn_seconds", "must be positive and not above globalconf_critical_seconds")
	case h.ClockWarnSeconds <= 0 || h.ClockCriticalSeconds < h.ClockWarnSeconds:
		return bad("clock_warn_seconds", "must be positive and not above clock_critical_seconds")
	case h.BackupWarnDays <= 0 || h.BackupCriticalDays < h.BackupWarnDays:
		return bad("backup_warn_days", "must be positive and not above backup_critical_days")
	case len(h.DataPaths) == 0:
		return bad("data_paths", "must list at least one path")
	case h.MinFreeBytes == 0:
		return bad("min_free_bytes", "must be positive")
	case !SafePath(h.ArchivePath):
		return bad("archive_path", "must be an absolute path of letters, digits and . _ + - /")
	case h.ArchiveRunwayDays < 0 || h.ArchiveRunwayDays > 3650:
		return bad("archive_runway_days", "must be 0-3650 (0: 30)")
	case h.ProbeSeconds <= 0 || h.ProbeSeconds > 60:
		return bad("probe_seconds", "must be 1-60")
	}
	for i, p := range h.DataPaths {
		if !SafePath(p) {
			return bad(fmt.Sprintf("data_paths[%d]", i), "must be an absolute path of letters, digits and . _ + - /")
		}
	}
	for i, e := range h.Endpoints {
		if !ValidEndpoint(e) {
			return bad(fmt.Sprintf("endpoints[%d]", i), "must be host:port (letters, digits, . -)")
		}
	}
	return nil
}

// ValidEndpoint says whether e is host:port with a port 1-65535 and a
// host of letters, digits, dots and hyphens: safe to put in a probe.
func ValidEndpoint(e string) bool {
	if !endpointRE.MatchString(e) || strings.HasPrefix(e, "-") {
		return false
	}
	n, err := strconv.Atoi(e[strings.LastIndexByte(e, ':')+1:])
	return err == nil && n > 0 && n < 65536
}
