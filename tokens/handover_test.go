package tokens

import (
	"strings"
	"testing"
)

func TestDevicesINI(t *testing.T) {
	got := DevicesINI("", "", "0A1B2C3D")
	want := "[rutoken]\n# Rutoken ECP 2.0 serial number 0A1B2C3D (signing key)\nlibrary = /usr/lib/librtpkcs11ecp.so\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := DevicesINI("rutoken", "/opt/x.so", "a\nlibrary = /evil.so"); strings.Count(got, "\n") != 3 || !strings.HasSuffix(got, "library = /opt/x.so\n") {
		t.Errorf("a newline in the serial broke the section:\n%s", got)
	}
	if got := DevicesINI("jacarta", "", "1234"); got != "[jacarta]\n# JaCarta PKI serial number 1234 (signing key)\nlibrary = /usr/lib/libjcPKCS11-2.so\n" {
		t.Errorf("JaCarta:\n%s", got)
	}
	// A trial on SoftHSM2 shows what the real token needs.
	if got := DevicesINI("softhsm", "", ""); got != "[rutoken]\nlibrary = /usr/lib/librtpkcs11ecp.so\n" {
		t.Errorf("SoftHSM2:\n%s", got)
	}
}

func TestHandoverSteps(t *testing.T) {
	for _, c := range []struct {
		vendor string
		want   []string
	}{
		{"", []string{"/usr/lib/librtpkcs11ecp.so", "librtpkcs11ecp", "0a89", "Aktiv", "[rutoken]"}},
		{"jacarta", []string{"/usr/lib/libjcPKCS11-2.so", "jcpkcs11-2", "24dc", "Aladdin R.D.", "[jacarta]", "JaCarta PKI"}},
	} {
		for _, lang := range []string{"en", "ru", "ky"} {
			steps := HandoverSteps(lang, c.vendor, "", "0A1B2C3D")
			if len(steps) != 6 {
				t.Fatalf("%s: %d steps", lang, len(steps))
			}
			text := HandoverText(lang, c.vendor, "", "0A1B2C3D")
			for _, s := range append([]string{"xroad-addon-hwtokens", "pcscd", "0A1B2C3D", "/etc/xroad/devices.ini", "systemctl restart xroad-signer", "7.8"}, c.want...) {
				if !strings.Contains(text, s) {
					t.Errorf("%s %s: steps lack %q:\n%s", c.vendor, lang, s, text)
				}
			}
			if strings.Contains(text, "handover.") || strings.Contains(text, "{{") || strings.Contains(text, "<no value>") {
				t.Errorf("%s: untranslated key or placeholder:\n%s", lang, text)
			}
		}
	}
	if !strings.Contains(HandoverText("ru", "", "", "1"), "сервер безопасности") || !strings.Contains(HandoverText("ky", "", "", "1"), "коопсуздук серверине") {
		t.Error("ru/ky texts do not use the glossary's terms")
	}
	if !strings.Contains(HandoverText("ru", "", "", "1"), "Рутокен ЭЦП 2.0") || !strings.Contains(HandoverText("ru", "jacarta", "", "1"), "«Аладдин Р.Д.»") {
		t.Error("ru: the token's and its maker's names")
	}
}
