package profile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultProfile(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if got := p.SupportedUbuntu(); !reflect.DeepEqual(got, []string{"20.04", "22.04"}) {
		t.Errorf("X-Road %s supports %v, want 20.04 and 22.04", p.XRoad.Version, got)
	}
	if !p.ValidMemberCode("70000001") || p.ValidMemberCode("7000001") || p.ValidMemberCode("7000000a") {
		t.Error("member code pattern does not accept exactly 8 digits")
	}
	if !p.ValidServerCode("ss-01_main") || p.ValidServerCode("сервер1") || p.ValidServerCode("ss 01") {
		t.Error("server code pattern must accept Latin, digits, - and _ only")
	}
	if p.Install.Package != "xroad-securityserver" || len(p.Install.Units) != 6 || len(p.Install.AdminGroups) != 5 {
		t.Errorf("install section: %+v", p.Install)
	}
	if !p.ValidMemberClass("GOV") || !p.ValidMemberClass("COM") || p.ValidMemberClass("ORG") {
		t.Error("member classes must be GOV and COM")
	}
}

func TestSupportedUbuntuPicksSeries(t *testing.T) {
	p, _ := Default()
	for version, want := range map[string]string{"7.1.3": "18.04,20.04", "7.4.2": "20.04,22.04", "7.5.0": "20.04,22.04", "7.10.0": "22.04,24.04"} {
		p.XRoad.Version = version
		if got := strings.Join(p.SupportedUbuntu(), ","); got != want {
			t.Errorf("X-Road %s: got %s, want %s", version, got, want)
		}
	}
}

// A bad profile is refused with an error naming the file and the field.
func TestProfileErrorsNameTheField(t *testing.T) {
	good, err := os.ReadFile("../assets/profiles/tunduk.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, from, to, field string }{
		{"wrong type", `"min_cores": 2`, `"min_cores": "two"`, "thresholds.min_cores"},
		{"typo", `"min_cores": 2`, `"min_core": 2`, "min_core"},
		{"zero ram", `"min_ram_bytes": 4294967296`, `"min_ram_bytes": 0`, "thresholds.min_ram_bytes"},
		{"bad regexp", `"^[0-9]{8}$"`, `"^[0-9"`, "identifiers.member_code_pattern"},
		{"bad port", `"port": 4000`, `"port": 70000`, "ports[0].port"},
		{"bad locale", `"locale": "en_US.UTF-8"`, `"locale": "en_US"`, "locale"},
		{"small key", `"key_size": 2048`, `"key_size": 1024`, "token.key_size"},
		{"bad label template", `"key_label": "{{.ServerCode}} sign"`, `"key_label": "{{.ServerCode sign"`, "token.key_label"},
		{"bad subject template", `"value": "{{.OrgName}}"`, `"value": "{{.OrgName"`, "csr.sign_subject[2].value"},
		{"no series", `"7.1": ["18.04", "20.04"],
      "7.4": ["20.04", "22.04"],`, ``, "xroad.supported_ubuntu"},
		{"install missing", `"install": {`, `"installx": {`, "installx"},
		{"repo with options", `"deb https://repo.example/xroad jammy-7.4.2 main"`, `"deb [trusted=yes] https://repo.example/xroad jammy-7.4.2 main"`, "install.repository"},
		{"repo two lines", `jammy-7.4.2 main"`, `jammy-7.4.2 main\ndeb http://evil/ x main"`, "install.repository"},
		{"key over http", `"repository_key_url": "https://`, `"repository_key_url": "http://`, "install.repository_key_url"},
		{"bad fingerprint", `"repository_key_fingerprint": ""`, `"repository_key_fingerprint": "ABCD"`, "install.repository_key_fingerprint"},
		{"both forms", `"repository": "deb https://`, `"flat_repository": "https://deb.tunduk.kg/ubuntu22.04-7.4.2/", "repository": "deb https://`, "install.flat_repository"},
		{"flat over http", `"flat_repository": "https://`, `"flat_repository": "http://`, "install.flat_repository"},
		{"flat without slash", `ubuntu22.04-7.4.2/"`, `ubuntu22.04-7.4.2"`, "install.flat_repository"},
		{"flat with a key", `"flat_repository": "https://`, `"repository_key_url": "https://deb.tunduk.kg/key.gpg", "flat_repository": "https://`, "install.repository_key_url"},
		{"flat unpinned", `"flat_packages": ["xroad-base",`, `"flat_packages": ["xroad-base", "xroad-extra",`, "install.flat_packages[1]"},
		{"pin bad sha", `"sha256": "70a7f30ad6ff`, `"sha256": "70A7F30AD6FF`, "install.package_pins[20].sha256"},
		{"pin epoch", `{"name": "xroad-proxy", "version": "7.4.2`, `{"name": "xroad-proxy", "version": "1:7.4.2`, "install.package_pins[20].version"},
		{"pin twice", `{"name": "xroad-proxy-ui-api",`, `{"name": "xroad-proxy",`, "install.package_pins[21].name"},
		{"bad profile class", `"profile_class": "ee.ria`, `"profile_class": "ee..ria`, "install.profile_class"},
		{"pin no arch", `"arch": "amd64", "sha256": ""}`, `"arch": "", "sha256": ""}`, "install.package_pins[0].arch"},
		{"bad package", `"package": "xroad-securityserver"`, `"package": "xroad securityserver"`, "install.package"},
		{"empty hwtokens", `"hwtokens_package": "xroad-addon-hwtokens"`, `"hwtokens_package": ""`, "install.hwtokens_package"},
		{"relative library", `"rutoken_library": "/usr/lib/`, `"rutoken_library": "usr/lib/`, "install.rutoken_library"},
		{"no units", `"units": ["xroad-signer", "xroad-proxy", "xroad-confclient", "xroad-proxy-ui-api", "xroad-monitor", "xroad-addon-messagelog"]`, `"units": []`, "install.units"},
		{"bad unit", `"xroad-monitor", "xroad-addon-messagelog"]`, `"xroad monitor; reboot", "xroad-addon-messagelog"]`, "install.units[4]"},
		{"bad group", `"xroad-securityserver-observer"`, `"Observers"`, "install.admin_groups[4]"},
		{"anchor hash too short", `"sha224": ""`, `"sha224": "92:62:34:C5"`, "anchor.sha224"},
		{"anchor hash a SHA-256", `"sha224": ""`, `"sha224": "` + strings.Repeat("AB", 32) + `"`, "anchor.sha224"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from := string(good)
			switch c.name {
			case "repo with options", "repo two lines", "key over http", "bad fingerprint", "both forms":
				from = signedForm(t, from)
			}
			bad := strings.Replace(from, c.from, c.to, 1)
			if bad == from {
				t.Fatalf("fixture text %q not found in the profile", c.from)
			}
			path := filepath.Join(t.TempDir(), "op.json")
			os.WriteFile(path, []byte(bad), 0o600)
			_, err := Load(path)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a Error", err)
			}
			if pe.Field != c.field || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q: field %q, want %q and the file name", err, pe.Field, c.field)
			}
		})
	}
}

// signedForm is the Tunduk profile with a signed apt repository in place
// of its flat one, as another operator's profile may have.
func signedForm(t *testing.T, profile string) string {
	t.Helper()
	const flat = `"flat_repository": "https://deb.tunduk.kg/ubuntu22.04-7.4.2/",`
	i, j := strings.Index(profile, flat), strings.Index(profile, `"package_pins"`)
	if i < 0 || j < i {
		t.Fatal("the profile has no flat repository to replace")
	}
	signed := `"repository": "deb https://repo.example/xroad jammy-7.4.2 main",
    "repository_key_url": "https://repo.example/xroad/repository.gpg",
    "repository_key_fingerprint": "",
    `
	out := profile[:i] + signed + profile[j:]
	if _, err := Parse([]byte(out), "signed.json"); err != nil {
		t.Fatalf("the signed form does not load: %v", err)
	}
	return out
}

// The Tunduk profile's packages: the flat repository the public setup
// shows, the 28 packages of X-Road 7.4.2's control file pinned by name,
// version and architecture, and the two SHA-256 sums that setup checks.
func TestTundukPackagePins(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	in := p.Install
	if in.FlatRepository != "https://deb.tunduk.kg/ubuntu22.04-7.4.2/" || in.Repository != "" || len(in.PackagePins) != 28 {
		t.Fatalf("flat %q, repository %q, %d pins", in.FlatRepository, in.Repository, len(in.PackagePins))
	}
	proxy, ok := in.Pin("xroad-proxy")
	if !ok || proxy.File() != "xroad-proxy_7.4.2-1.gita30be58.ubuntu22.04_all.deb" ||
		proxy.SHA256 != "70a7f30ad6ff09e3813ae64c81573fda18fed266a2d15df8c0c5392077ef3b3c" || !strings.Contains(proxy.Source, "goodwokdev/tunduk-security-server") {
		t.Errorf("xroad-proxy pin: %+v", proxy)
	}
	ui, _ := in.Pin("xroad-proxy-ui-api")
	if ui.SHA256 != "806706aaab34bec3e60f8fed1e0b8acadfedb8c32d8b7b1fa74aa846078853fe" || ui.Source == "" {
		t.Errorf("xroad-proxy-ui-api pin: %+v", ui)
	}
	hashed := 0
	for _, pin := range in.PackagePins {
		if pin.SHA256 != "" {
			hashed++
		}
	}
	if hashed != 2 {
		t.Errorf("%d pins with a SHA-256; only the two the public source shows are known", hashed)
	}
	if base, _ := in.Pin("xroad-base"); base.File() != "xroad-base_7.4.2-1.gita30be58.ubuntu22.04_amd64.deb" {
		t.Errorf("xroad-base: %s (Architecture: amd64 arm64 in the control file)", base.File())
	}
	if !strings.HasSuffix(in.ProfileClass, ".KgSkKlass3CertificateProfileInfoProvider") {
		t.Errorf("profile class %q", in.ProfileClass)
	}
	for _, name := range append([]string{in.Package, in.HWTokensPackage}, in.FlatPackages...) {
		if _, ok := in.Pin(name); !ok {
			t.Errorf("%s is fetched or installed but not pinned", name)
		}
	}
}

// ca.intake_url is empty in the Tunduk profile (the operator has
// published no intake); an operator's own profile may set an https:// one,
// and nothing else.
func TestProfileIntakeURL(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if p.CA.IntakeURL != "" || p.CA.Email != "kuc@infocom.kg" {
		t.Errorf("ca: %+v", p.CA)
	}
	good, _ := os.ReadFile("../assets/profiles/tunduk.json")
	for url, ok := range map[string]bool{
		"https://intake.tunduk.kg/v1/enrollments": true,
		"https://127.0.0.1:8443/intake":           true,
		"http://intake.tunduk.kg/v1/enrollments":  false,
		"ftp://intake.tunduk.kg/":                 false,
		"https://":                                false,
		"https://user:pw@intake.tunduk.kg/":       false,
		"intake.tunduk.kg/v1":                     false,
	} {
		text := strings.Replace(string(good), `"intake_url": ""`, `"intake_url": "`+url+`"`, 1)
		if text == string(good) {
			t.Fatal("fixture: no intake_url in the profile")
		}
		p, err := Parse([]byte(text), "op.json")
		var pe *Error
		switch {
		case ok && (err != nil || p.CA.IntakeURL != url):
			t.Errorf("%s refused: %v", url, err)
		case !ok && (!errors.As(err, &pe) || pe.Field != "ca.intake_url"):
			t.Errorf("%s: got %v, want a ca.intake_url error", url, err)
		}
	}
}

// GOV member codes begin with 7 and COM codes with 6 (the operator's rule,
// from the profile); a class without a rule takes any code.
func TestMemberCodePrefix(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		class, code string
		fits        bool
	}{
		{"GOV", "70000001", true}, {"GOV", "60000061", false}, {"GOV", "10000001", false},
		{"COM", "60000061", true}, {"COM", "70000001", false},
		{"NGO", "90000001", true}, // no rule for a class the profile does not set
	} {
		if got := p.MemberCodeFits(c.class, c.code); got != c.fits {
			t.Errorf("%s %s: fits %v, want %v", c.class, c.code, got, c.fits)
		}
	}
	if p.MemberCodePrefix("GOV") != "7" || p.MemberCodePrefix("COM") != "6" || p.MemberCodePrefix("") != "" {
		t.Errorf("prefixes: %v", p.Identifiers.MemberCodePrefix)
	}
	good, _ := os.ReadFile("../assets/profiles/tunduk.json")
	for _, c := range []struct{ name, to, field string }{
		{"unknown class", `{"GOV": "7", "ORG": "6"}`, "identifiers.member_code_prefix.ORG"},
		{"empty prefix", `{"GOV": "", "COM": "6"}`, "identifiers.member_code_prefix.GOV"},
		{"spaces", `{"GOV": "7 ", "COM": "6"}`, "identifiers.member_code_prefix.GOV"},
	} {
		text := strings.Replace(string(good), `{"GOV": "7", "COM": "6"}`, c.to, 1)
		if text == string(good) {
			t.Fatal("fixture: no member_code_prefix in the profile")
		}
		_, err := Parse([]byte(text), "op.json")
		var pe *Error
		if !errors.As(err, &pe) || pe.Field != c.field {
			t.Errorf("%s: got %v, want an error on %s", c.name, err, c.field)
		}
	}
	// The rule is optional: a profile without it accepts every code.
	text := strings.Replace(string(good), `"member_code_prefix": {"GOV": "7", "COM": "6"},`, "", 1)
	p2, err := Parse([]byte(text), "op.json")
	if err != nil || !p2.MemberCodeFits("GOV", "60000061") {
		t.Errorf("without a rule: %v", err)
	}
}

// The operator's and the CA's names are given in every language, and
// their contacts are the seeds' (no contact the seeds do not give).
func TestOperatorAndCAContacts(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	op := p.Operator
	if op.Title.RU != "ОАО «Түндүк»" || op.Contact.Phone != "0 (312) 988 123" || op.Contact.Web != "https://tunduk.gov.kg" ||
		!strings.Contains(op.Contact.Address.RU, "Ахунбаева, 119") || op.Contact.Email != "" {
		t.Errorf("operator: %+v", op)
	}
	if p.CA.Title.RU != "ГУ «Кызмат»" || p.CA.Title.KY == "" || !p.CA.Contact.Empty() || p.CA.TypicalWait.EN != "" {
		t.Errorf("CA: %+v", p.CA)
	}
	good, _ := os.ReadFile("../assets/profiles/tunduk.json")
	for _, c := range []struct{ name, from, to, field string }{
		{"phone letters", `"phone": "0 (312) 988 123"`, `"phone": "call us"`, "operator.contact.phone"},
		{"web ftp", `"web": "https://tunduk.gov.kg"`, `"web": "ftp://tunduk.gov.kg"`, "operator.contact.web"},
		{"web with user", `"web": "https://tunduk.gov.kg"`, `"web": "https://a:b@tunduk.gov.kg"`, "operator.contact.web"},
		{"two e-mails", `"phone": "0 (312) 988 123"`, `"phone": "0 (312) 988 123", "email": "a@b.kg, c@d.kg"`, "operator.contact.email"},
		{"address in ru only", `"address": {"en": "119 Akhunbaev St., Bishkek", `, `"address": {"en": "", `, "operator.contact.address"},
		{"no operator title", `"title": {"en": "OJSC Tunduk (ОАО «Түндүк»)", "ru": "ОАО «Түндүк»", "ky": "ОАО «Түндүк»"}`, `"title": {}`, "operator.title"},
		{"CA title half", `"title": {"en": "GU Kyzmat (ГУ «Кызмат»)", "ru": "ГУ «Кызмат»", "ky": "ГУ «Кызмат»"}`, `"title": {"en": "GU Kyzmat"}`, "ca.title"},
		{"wait in en only", `"contact": {},
    "typical_wait": {}`, `"contact": {},
    "typical_wait": {"en": "2 days"}`, "ca.typical_wait"},
		{"unknown contact field", `"phone": "0 (312) 988 123"`, `"telephone": "0 (312) 988 123"`, "telephone"},
	} {
		text := strings.Replace(string(good), c.from, c.to, 1)
		if text == string(good) {
			t.Fatalf("%s: fixture text %q not found", c.name, c.from)
		}
		_, err := Parse([]byte(text), "op.json")
		var pe *Error
		if !errors.As(err, &pe) || pe.Field != c.field {
			t.Errorf("%s: got %v, want an error on %s", c.name, err, c.field)
		}
	}
}

// TestProfileAnchorHash: anchor.sha224 is empty in the Tunduk profile
// (the operator publishes the hash with the anchor, not here yet); a
// SHA-224 in X-Road's forms (colons or not, either case) is taken.
func TestProfileAnchorHash(t *testing.T) {
	p, err := Default()
	if err != nil || p.Anchor.SHA224 != "" {
		t.Fatalf("default anchor.sha224 %q, %v", p.Anchor.SHA224, err)
	}
	good, _ := os.ReadFile("../assets/profiles/tunduk.json")
	for _, h := range []string{strings.Repeat("9a", 28), strings.TrimSuffix(strings.Repeat("92:", 28), ":")} {
		q, err := Parse([]byte(strings.Replace(string(good), `"sha224": ""`, `"sha224": "`+h+`"`, 1)), "op.json")
		if err != nil || q.Anchor.SHA224 != h {
			t.Fatalf("%q: %v", h, err)
		}
	}
}

func TestSubsystemCodeRule(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]bool{"crm": true, "IS-Registry_2": true, "": false, "с кириллицей": false, "a:b": false, "a/b": false, strings.Repeat("a", 256): false} {
		if got := p.ValidSubsystemCode(code); got != want {
			t.Errorf("ValidSubsystemCode(%q) = %v, want %v", code, got, want)
		}
	}
}
