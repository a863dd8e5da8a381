// Package profile is the operator's data: everything the operator may
// change without a new release (thresholds, X-Road instance and version,
// member classes, CA, ports), embedded with a strict loader.
package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// Profile is the operator's data: everything the operator may change
// without a new release. The embedded assets/profiles/tunduk.json is the
// default; --profile FILE replaces it.
type Profile struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Title   string `json:"title"`
	XRoad   struct {
		Version string `json:"version"`
		// Instance is the X-Road instance identifier (e.g. central-server).
		Instance string `json:"instance"`
		// SupportedUbuntu maps the first X-Road release of a series (7.4)
		// to the Ubuntu releases it supports.
		SupportedUbuntu map[string][]string `json:"supported_ubuntu"`
		// PublishedUbuntu are releases the operator's page still names but
		// the target X-Road version does not run on: a warning, not a pass.
		PublishedUbuntu []string `json:"published_ubuntu"`
		Arch            []string `json:"arch"`
	} `json:"xroad"`
	// Anchor is what the operator publishes of its configuration anchor.
	Anchor struct {
		// SHA224 is the anchor file's hash as X-Road shows it in the
		// security server's admin UI and on the central server (SHA-224,
		// hex, colons allowed: "92:62:34:..."). Empty: not published here;
		// the user compares the hash shown with the operator's by eye or
		// types it.
		SHA224 string `json:"sha224"`
	} `json:"anchor"`
	Thresholds struct {
		MinCores                 int    `json:"min_cores"`
		MinRAMBytes              uint64 `json:"min_ram_bytes"`
		RecommendedRAMBytes      uint64 `json:"recommended_ram_bytes"`
		MinFreeDiskBytes         uint64 `json:"min_free_disk_bytes"`
		RecommendedFreeDiskBytes uint64 `json:"recommended_free_disk_bytes"`
		DiskPath                 string `json:"disk_path"`
		MinLinkMbps              int    `json:"min_link_mbps"`
	} `json:"thresholds"`
	Locale          string            `json:"locale"`
	Ports           []Port            `json:"ports"`
	USBTokenVendors map[string]string `json:"usb_token_vendors"`
	Identifiers     struct {
		MemberClasses     []string `json:"member_classes"`
		MemberCodePattern string   `json:"member_code_pattern"`
		// MemberCodePrefix is how the codes of a class begin (GOV 7,
		// COM 6 in Tunduk); a class without an entry has no rule.
		MemberCodePrefix  map[string]string `json:"member_code_prefix"`
		ServerCodePattern string            `json:"server_code_pattern"`
		// SubsystemCodePattern is the rule for an information system's
		// subsystem code; empty: DefaultSubsystemCodePattern.
		SubsystemCodePattern string `json:"subsystem_code_pattern,omitempty"`
		SoftwareTokenPINMin  int    `json:"software_token_pin_min"`
	} `json:"identifiers"`
	Token struct {
		// KeySize is the RSA size of the signing key, bounded by what the
		// token's mechanism info allows.
		KeySize int `json:"key_size"`
		// KeyLabel is a template for CKA_LABEL ({{.ServerCode}},
		// {{.MemberCode}}); X-Road finds keys by CKA_ID, the label is for people.
		KeyLabel     string   `json:"key_label"`
		PINMinLength int      `json:"pin_min_length"`
		FactoryPINs  []string `json:"factory_pins"`
	} `json:"token"`
	// SigningKey says where the signing key may live (signing.go).
	SigningKey SigningKey `json:"signing_key"`
	CSR        struct {
		// SignSubject is the offline template of the signing certificate's
		// subject, in order; values may use {{.MemberCode}}, {{.OrgName}},
		// {{.MemberClass}}, {{.ServerCode}}, {{.Instance}}. A running security
		// server's csr-subject-fields take precedence.
		SignSubject []SubjectField `json:"sign_subject"`
	} `json:"csr"`
	CA struct {
		// Name is the CA as the security server lists it (matched against
		// the server's certificate authorities).
		Name string `json:"name"`
		// Title names the CA for people, in each language.
		Title i18n.Text `json:"title"`
		// Email receives the CSRs (the Submit step's recipient).
		Email string `json:"email"`
		// IntakeURL is the operator's HTTPS intake for enrollment packages
		// (https:// only). Empty: the operator has published none, and
		// HTTPS delivery needs an address given by the user.
		IntakeURL string `json:"intake_url"`
		// Contact is how people reach the CA; TypicalWait how long it
		// usually takes to issue the certificates (empty: not published).
		Contact     Contact   `json:"contact"`
		TypicalWait i18n.Text `json:"typical_wait"`
	} `json:"ca"`
	Operator Operator `json:"operator"`
	Install  Install  `json:"install"`
	// Catalogue is the shape of the export for the operator's Catalogue.
	Catalogue Catalogue `json:"catalogue"`
	// Health holds the thresholds of an installed server's health
	// (health.go); a profile without it gets DefaultHealth.
	Health Health `json:"health"`
	// Backups says how many backups of a server this computer keeps
	// (backups.go); absent: DefaultBackupKeep.
	Backups *Backups `json:"backups,omitempty"`

	memberCode, serverCode, subsystemCode *regexp.Regexp
}

// Install is what the installer needs to know about the operator's
// packages and the server they make.
type Install struct {
	// The operator's packages come from one of two kinds of repository:
	// a signed apt repository (Repository and its key), or a flat one
	// (FlatRepository: .deb files side by side under one URL). Exactly one
	// is set.
	//
	// Repository is the apt source line of a signed repository, without
	// options ("deb URI SUITE COMPONENT..."); the installer adds signed-by.
	Repository string `json:"repository,omitempty"`
	// RepositoryKeyURL is where the repository's signing key is fetched.
	RepositoryKeyURL string `json:"repository_key_url,omitempty"`
	// RepositoryKeyFingerprint pins the signing key (40 hex digits, spaces
	// allowed). Empty: the plan says, in the repository step's note, that
	// the key is not pinned.
	RepositoryKeyFingerprint string `json:"repository_key_fingerprint,omitempty"`
	// FlatRepository is the https:// URL (ending in /) of a flat
	// repository: the installer fetches FlatPackages from it by file name
	// (PackagePin.File), checks each against its pin, and makes them a
	// local apt repository. Tunduk serves 7.4.2 this way (the best public
	// evidence: github.com/goodwokdev/tunduk-security-server image/Dockerfile
	// fetches ubuntu22.04-7.4.2/<file> by name and checks its SHA-256; no
	// signed index is known there). UNVERIFIED until the operator confirms.
	// guess: every file there is named NAME_VERSION_ARCH.deb with its pin's
	// version and architecture (the two files the public setup fetches are).
	FlatRepository string `json:"flat_repository,omitempty"`
	// FlatPackages are the packages fetched from FlatRepository, each
	// with a pin naming its version and architecture.
	FlatPackages []string `json:"flat_packages,omitempty"`
	// PackagePins are the operator's packages as the profile knows them:
	// every .deb the installer installs of a pinned package must have the
	// pinned version and, where the pin has one, the pinned SHA-256.
	PackagePins []PackagePin `json:"package_pins,omitempty"`
	// ProfileClass is the certificate profile class the CA's CSRs need in
	// the installed X-Road (a Java class name, a.b.C): the installer checks
	// for it after the install, and the configure flow before it makes a
	// CSR. Tunduk's xroad-proxy carries KgSkKlass3CertificateProfileInfoProvider
	// in proxy-1.0.jar, NIIS's does not (the public third-party setup
	// github.com/goodwokdev/tunduk-security-server). Empty: no check.
	ProfileClass string `json:"profile_class,omitempty"`
	// Package is the security server variant to install.
	Package string `json:"package"`
	// HWTokensPackage adds PKCS#11 hardware token support to the signer.
	HWTokensPackage string `json:"hwtokens_package"`
	// RutokenPackage is the package carrying RutokenLibrary (Aktiv's .deb;
	// not in Ubuntu's archive). UNVERIFIED name.
	RutokenPackage string `json:"rutoken_package"`
	// RutokenLibrary is the PKCS#11 module written into devices.ini.
	RutokenLibrary string `json:"rutoken_library"`
	// Units are the systemd units that must be active after the install.
	Units []string `json:"units"`
	// AdminGroups are the X-Road roles the admin user is given.
	AdminGroups []string `json:"admin_groups"`
}

var (
	debPackageRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)
	aptLineRE     = regexp.MustCompile(`^deb (https?|file):/\S+( [A-Za-z0-9._/-]+)+$`)
	sysNameRE     = regexp.MustCompile(`^[a-z][a-z0-9_.-]*$`)
	fingerprintRE = regexp.MustCompile(`^[0-9A-Fa-f]{40}$`)
	sha224RE      = regexp.MustCompile(`^[0-9A-Fa-f]{56}$`)
)

func (in *Install) validate() *Error {
	bad := func(field, problem string) *Error {
		return &Error{Field: "install." + field, Problem: problem}
	}
	if err := in.validateRepository(); err != nil {
		return err
	}
	for field, v := range map[string]string{"package": in.Package, "hwtokens_package": in.HWTokensPackage, "rutoken_package": in.RutokenPackage} {
		if !debPackageRE.MatchString(v) {
			return bad(field, "must be a Debian package name")
		}
	}
	if !SafePath(in.RutokenLibrary) {
		return bad("rutoken_library", "must be an absolute path of letters, digits and . _ + - / (it goes into a root script)")
	}
	if len(in.Units) == 0 {
		return bad("units", "must list at least one unit")
	}
	for i, u := range in.Units {
		if !sysNameRE.MatchString(u) {
			return bad(fmt.Sprintf("units[%d]", i), "must be a systemd unit name")
		}
	}
	if len(in.AdminGroups) == 0 {
		return bad("admin_groups", "must list at least one group")
	}
	for i, g := range in.AdminGroups {
		if !sysNameRE.MatchString(g) || len(g) > 32 {
			return bad(fmt.Sprintf("admin_groups[%d]", i), "must be a group name (lower case, digits, - _ .)")
		}
	}
	return nil
}

// SubjectField is one attribute of a certificate subject: a short name
// (C, O, OU, CN, serialNumber, ...) or a dotted OID, and a value template.
type SubjectField struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Port is a port X-Road needs for itself, with the programs allowed to
// hold it (an X-Road or PostgreSQL already installed is not a conflict).
type Port struct {
	Port    int       `json:"port"`
	Proto   string    `json:"proto"`
	Purpose i18n.Text `json:"purpose"`
	Owners  []string  `json:"owners"`
}

// Default returns the embedded operator profile.
func Default() (*Profile, error) {
	data, err := assets.FS.ReadFile("profiles/tunduk.json")
	if err != nil {
		return nil, err
	}
	return Parse(data, "tunduk.json (embedded)")
}

// Load reads and validates a profile file.
func Load(path string) (*Profile, error) {
	data, err := readcap.ReadFile(path, readcap.Profile)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	return Parse(data, path)
}

// Error names the file and the field that is wrong.
type Error struct {
	File, Field, Problem string
}

func (e *Error) Error() string {
	return fmt.Sprintf("profile %s: field %q: %s", e.File, e.Field, e.Problem)
}

// Parse decodes and validates a profile. Unknown fields, trailing data
// and a BOM are errors (decode.go): a typo in an operator's file must not silently fall back to a default.
func Parse(data []byte, name string) (*Profile, error) {
	var p Profile
	if err := decodeStrict(data, &p); err != nil {
		err.File = name
		return nil, err
	}
	if err := p.validate(); err != nil {
		err.File = name
		return nil, err
	}
	return &p, nil
}

// jsonField names the field a decoding error is about.
func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	if s := err.Error(); strings.Contains(s, "unknown field") {
		return strings.Trim(s[strings.Index(s, "unknown field")+len("unknown field"):], ` "`)
	}
	return "(file)"
}

func (p *Profile) validate() *Error {
	bad := func(field, problem string) *Error { return &Error{Field: field, Problem: problem} }
	switch {
	case p.Name == "":
		return bad("name", "must not be empty")
	case p.Version == "":
		return bad("version", "must not be empty")
	case !regexp.MustCompile(`^\d+\.\d+(\.\d+)?$`).MatchString(p.XRoad.Version):
		return bad("xroad.version", "must look like 7.4.2")
	case p.XRoad.Instance == "":
		return bad("xroad.instance", "must not be empty")
	case p.Anchor.SHA224 != "" && !sha224RE.MatchString(strings.NewReplacer(":", "", " ", "").Replace(p.Anchor.SHA224)):
		return bad("anchor.sha224", "must be empty or a SHA-224: 56 hex digits, colons allowed")
	case len(p.XRoad.Arch) == 0:
		return bad("xroad.arch", "must list at least one architecture")
	case p.Thresholds.MinCores < 1:
		return bad("thresholds.min_cores", "must be at least 1")
	case p.Thresholds.MinRAMBytes == 0:
		return bad("thresholds.min_ram_bytes", "must be positive")
	case p.Thresholds.RecommendedRAMBytes < p.Thresholds.MinRAMBytes:
		return bad("thresholds.recommended_ram_bytes", "must not be below min_ram_bytes")
	case p.Thresholds.MinFreeDiskBytes == 0:
		return bad("thresholds.min_free_disk_bytes", "must be positive")
	case p.Thresholds.RecommendedFreeDiskBytes < p.Thresholds.MinFreeDiskBytes:
		return bad("thresholds.recommended_free_disk_bytes", "must not be below min_free_disk_bytes")
	case !SafePath(p.Thresholds.DiskPath):
		return bad("thresholds.disk_path", "must be an absolute path of letters, digits and . _ + - /")
	case p.Thresholds.MinLinkMbps <= 0:
		return bad("thresholds.min_link_mbps", "must be positive")
	case !regexp.MustCompile(`^[a-z]{2}_[A-Z]{2}\.UTF-8$`).MatchString(p.Locale):
		return bad("locale", "must look like en_US.UTF-8")
	case len(p.Identifiers.MemberClasses) == 0:
		return bad("identifiers.member_classes", "must list at least one class")
	case p.Identifiers.SoftwareTokenPINMin < 1:
		return bad("identifiers.software_token_pin_min", "must be positive")
	}
	if len(p.SupportedUbuntu()) == 0 {
		return bad("xroad.supported_ubuntu", "has no entry for X-Road "+p.XRoad.Version+" or an earlier series")
	}
	for i, port := range p.Ports {
		if port.Port < 1 || port.Port > 65535 {
			return bad(fmt.Sprintf("ports[%d].port", i), "must be 1-65535")
		}
		if port.Purpose.EN == "" || port.Purpose.RU == "" || port.Purpose.KY == "" {
			return bad(fmt.Sprintf("ports[%d].purpose", i), "needs en, ru and ky")
		}
		if port.Proto != "tcp" && port.Proto != "udp" {
			return bad(fmt.Sprintf("ports[%d].proto", i), `must be "tcp" or "udp"`)
		}
	}
	if p.Token.KeySize < 2048 || p.Token.KeySize%1024 != 0 {
		return bad("token.key_size", "must be 2048 or a larger multiple of 1024 (X-Road's minimum is RSA-2048)")
	}
	if p.Token.PINMinLength < 4 || p.Token.PINMinLength > 32 {
		return bad("token.pin_min_length", "must be 4-32")
	}
	if _, err := template.New("label").Parse(p.Token.KeyLabel); err != nil || p.Token.KeyLabel == "" {
		return bad("token.key_label", "must be a non-empty template")
	}
	if err := p.SigningKey.validate(); err != nil {
		return err
	}
	if len(p.CSR.SignSubject) == 0 {
		return bad("csr.sign_subject", "must list at least one field")
	}
	for i, f := range p.CSR.SignSubject {
		if f.Type == "" {
			return bad(fmt.Sprintf("csr.sign_subject[%d].type", i), "must not be empty")
		}
		if _, err := template.New("v").Parse(f.Value); err != nil {
			return bad(fmt.Sprintf("csr.sign_subject[%d].value", i), "is not a valid template: "+err.Error())
		}
	}
	if err := p.Install.validate(); err != nil {
		return err
	}
	if err := p.validateParties(); err != nil {
		return err
	}
	if err := p.Catalogue.validate(); err != nil {
		return err
	}
	if p.Health.isZero() {
		p.Health = DefaultHealth()
	}
	if err := p.Health.validate(); err != nil {
		return err
	}
	if err := p.Backups.validate(); err != nil {
		return err
	}
	if err := p.validatePrefixes(); err != nil {
		return err
	}
	if u := p.CA.IntakeURL; u != "" {
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme != "https" || pu.Host == "" || pu.User != nil || strings.ContainsAny(u, " '\"\n\\") {
			return bad("ca.intake_url", "must be empty or an https:// URL without a user name or password")
		}
	}
	var err error
	if p.memberCode, err = regexp.Compile(p.Identifiers.MemberCodePattern); err != nil || p.Identifiers.MemberCodePattern == "" {
		return bad("identifiers.member_code_pattern", "must be a valid regular expression")
	}
	if p.serverCode, err = regexp.Compile(p.Identifiers.ServerCodePattern); err != nil || p.Identifiers.ServerCodePattern == "" {
		return bad("identifiers.server_code_pattern", "must be a valid regular expression")
	}
	if p.subsystemCode, err = regexp.Compile(p.SubsystemCodePattern()); err != nil {
		return bad("identifiers.subsystem_code_pattern", "must be a valid regular expression")
	}
	return nil
}

// SupportedUbuntu returns the Ubuntu releases the profile's X-Road version
// supports: the entry of the newest series not newer than that version.
func (p *Profile) SupportedUbuntu() []string {
	target := versionKey(p.XRoad.Version)
	best, bestKey := "", -1
	for series := range p.XRoad.SupportedUbuntu {
		k := versionKey(series)
		if k <= target && k > bestKey {
			best, bestKey = series, k
		}
	}
	if best == "" {
		return nil
	}
	out := append([]string(nil), p.XRoad.SupportedUbuntu[best]...)
	sort.Strings(out)
	return out
}

// versionKey orders "7.4.2" style versions numerically (7.10 > 7.4).
func versionKey(v string) int {
	k := 0
	parts := strings.Split(v, ".")
	for i := 0; i < 3; i++ {
		n := 0
		if i < len(parts) {
			n, _ = strconv.Atoi(parts[i])
		}
		k = k*1000 + n
	}
	return k
}

// ValidMemberCode reports whether code matches the operator's pattern.
func (p *Profile) ValidMemberCode(code string) bool { return p.memberCode.MatchString(code) }

// ValidServerCode reports whether code is allowed as a security server code.
func (p *Profile) ValidServerCode(code string) bool { return p.serverCode.MatchString(code) }

// DefaultSubsystemCodePattern: Latin letters, digits, - and _, as many
// as the admin API's subsystem_code takes (maxLength 255 in X-Road
// 7.4.2's definition); X-Road itself refuses only colons, semicolons,
// slashes, backslashes, percent signs and control characters, but a code
// people type and read in three alphabets stays Latin.
const DefaultSubsystemCodePattern = `^[A-Za-z0-9_-]{1,255}$`

// SubsystemCodePattern is the operator's rule for subsystem codes.
func (p *Profile) SubsystemCodePattern() string {
	if p.Identifiers.SubsystemCodePattern == "" {
		return DefaultSubsystemCodePattern
	}
	return p.Identifiers.SubsystemCodePattern
}

// ValidSubsystemCode reports whether code is allowed as a subsystem code.
func (p *Profile) ValidSubsystemCode(code string) bool {
	if p.subsystemCode == nil {
		return regexp.MustCompile(p.SubsystemCodePattern()).MatchString(code)
	}
	return p.subsystemCode.MatchString(code)
}

// ValidMemberClass reports whether class is one of the operator's classes.
func (p *Profile) ValidMemberClass(class string) bool {
	for _, c := range p.Identifiers.MemberClasses {
		if c == class {
			return true
		}
	}
	return false
}
