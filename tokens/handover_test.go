package tokens

import (
	"strings"
	"testing"
)

func TestDevicesINI(t *testing.T) {
	got := DevicesINI("", "0A1B2C3D")
	want := "[rutoken]\n# Rutoken serial number 0A1B2C3D (signing key)\nlibrary = /usr/lib/librtpkcs11ecp.so\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := DevicesINI("/opt/x.so", "a\nlibrary = /evil.so"); strings.Count(got, "\n") != 3 || !strings.HasSuffix(got, "library = /opt/x.so\n") {
		t.Errorf("a newline in the serial broke the section:\n%s", got)
	}
}

func TestHandoverSteps(t *testing.T) {
	for _, lang := range []string{"en", "ru", "ky"} {
		steps := HandoverSteps(lang, "", "0A1B2C3D")
		if len(steps) != 6 {
			t.Fatalf("%s: %d steps", lang, len(steps))
		}
		text := HandoverText(lang, "", "0A1B2C3D")
		for _, s := range []string{"xroad-addon-hwtokens", "pcscd", "/usr/lib/librtpkcs11ecp.so", "0A1B2C3D", "/etc/xroad/devices.ini", "systemctl restart xroad-signer", "7.8", "[rutoken]"} {
			if !strings.Contains(text, s) {
				t.Errorf("%s: steps lack %q:\n%s", lang, s, text)
			}
		}
		if strings.Contains(text, "handover.") || strings.Contains(text, "{{") {
			t.Errorf("%s: untranslated key or placeholder:\n%s", lang, text)
		}
	}
	if !strings.Contains(HandoverText("ru", "", "1"), "сервер безопасности") || !strings.Contains(HandoverText("ky", "", "1"), "коопсуздук серверине") {
		t.Error("ru/ky texts do not use the glossary's terms")
	}
}
