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
		{"repo with options", `"deb https://deb.tunduk.kg/xroad jammy-7.4.2 main"`, `"deb [trusted=yes] https://deb.tunduk.kg/xroad jammy-7.4.2 main"`, "install.repository"},
		{"repo two lines", `jammy-7.4.2 main"`, `jammy-7.4.2 main\ndeb http://evil/ x main"`, "install.repository"},
		{"key over http", `"repository_key_url": "https://`, `"repository_key_url": "http://`, "install.repository_key_url"},
		{"bad fingerprint", `"repository_key_fingerprint": ""`, `"repository_key_fingerprint": "ABCD"`, "install.repository_key_fingerprint"},
		{"bad package", `"package": "xroad-securityserver"`, `"package": "xroad securityserver"`, "install.package"},
		{"empty hwtokens", `"hwtokens_package": "xroad-addon-hwtokens"`, `"hwtokens_package": ""`, "install.hwtokens_package"},
		{"relative library", `"rutoken_library": "/usr/lib/`, `"rutoken_library": "usr/lib/`, "install.rutoken_library"},
		{"no units", `"units": ["xroad-signer", "xroad-proxy", "xroad-confclient", "xroad-proxy-ui-api", "xroad-monitor", "xroad-addon-messagelog"]`, `"units": []`, "install.units"},
		{"bad unit", `"xroad-monitor"`, `"xroad monitor; reboot"`, "install.units[4]"},
		{"bad group", `"xroad-securityserver-observer"`, `"Observers"`, "install.admin_groups[4]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := strings.Replace(string(good), c.from, c.to, 1)
			if bad == string(good) {
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
