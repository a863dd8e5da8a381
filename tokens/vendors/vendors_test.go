package vendors

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/tokens/vendors/vendorstest"
)

// Every production vendor has a library on each desktop OS and on the
// server, a USB id, and a devices.ini section of its own.
func TestTableComplete(t *testing.T) {
	ids, sections := map[string]bool{}, map[string]bool{}
	for _, v := range All() {
		if ids[v.ID] || sections[strings.ToLower(v.Server.Section)] {
			t.Errorf("%s: id or section used twice", v.ID)
		}
		ids[v.ID], sections[strings.ToLower(v.Server.Section)] = true, true
		for _, goos := range []string{"linux", "windows", "darwin"} {
			if len(v.Libraries[goos]) == 0 {
				t.Errorf("%s: no library for %s", v.ID, goos)
			}
			for _, l := range v.Libraries[goos] {
				if goos == "windows" && !strings.Contains(l.Path, `:\`) && !strings.HasPrefix(l.Path, windowsRoot+`\`) {
					t.Errorf("%s: %q is not an absolute Windows path", v.ID, l.Path)
				}
				if goos != "windows" && !strings.HasPrefix(l.Path, "/") {
					t.Errorf("%s: %q is not absolute", v.ID, l.Path)
				}
			}
		}
		// ModuleConf.java: the uid softToken is the software token's.
		if v.Server.Section == "" || strings.EqualFold(v.Server.Section, "softToken") || !strings.HasPrefix(v.Server.Library, "/") || v.Server.Package == "" {
			t.Errorf("%s: server part %+v", v.ID, v.Server)
		}
		if !v.TestOnly && !regexp.MustCompile(`^[0-9a-f]{4}$`).MatchString(v.USBVendor) {
			t.Errorf("%s: USB vendor id %q", v.ID, v.USBVendor)
		}
	}
	if _, ok := ByID(Default); !ok {
		t.Errorf("the default %q is not in the table", Default)
	}
	if got := IDs(false); strings.Join(got, ",") != "rutoken,jacarta" {
		t.Errorf("production vendors %v", got)
	}
}

func TestByUSBVendor(t *testing.T) {
	for id, want := range map[string]string{"0a89": "rutoken", "0A89": "rutoken", " 24dc ": "jacarta"} {
		if v, ok := ByUSBVendor(id); !ok || v.ID != want {
			t.Errorf("%q: %v %v", id, v.ID, ok)
		}
	}
	if _, ok := ByUSBVendor("1050"); ok {
		t.Error("a YubiKey is not a vendor of the table")
	}
}

// Discovery order: the Rutoken first, JaCarta next, SoftHSM2 last, on
// every OS; Windows paths are absolute with %SystemRoot% expanded.
func TestCandidatesOrder(t *testing.T) {
	t.Setenv("SystemRoot", `D:\Win`)
	for _, goos := range []string{"linux", "windows", "darwin"} {
		c := Candidates(goos)
		last := -1
		for _, want := range []string{"rutoken", "jacarta", "softhsm"} {
			first := -1
			for i, x := range c {
				if x.Vendor == want && first < 0 {
					first = i
				}
			}
			if first <= last {
				t.Errorf("%s: %s is not after the vendors before it: %v", goos, want, c)
			}
			last = first
		}
	}
	w := Candidates("windows")
	if w[0].Path != `D:\Win\System32\rtpkcs11ecp.dll` {
		t.Errorf("windows: %v", w[0])
	}
	for _, x := range w {
		if strings.Contains(x.Path, "%") {
			t.Errorf("not expanded: %q", x.Path)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct{ file, manufacturer, description, want string }{
		{"librtpkcs11ecp.so", "", "", "rutoken"},
		{"rtpkcs11ecp.dll", "Aktiv Co.", "Rutoken ECP PKCS #11 library", "rutoken"},
		{"libjcPKCS11-2.so", "", "", "jacarta"},
		{"jcPKCS11-2.dll", "", "", "jacarta"},
		{"jcPKCS11-2", "", "", "jacarta"}, // inside jcPKCS11-2.framework
		{"pkcs11.so", "Aladdin R.D.", "JaCarta PKCS#11", "jacarta"},
		{"libsofthsm2.so", "SoftHSM", "Implementation of PKCS11", "softhsm"},
		{"libjcPKCS11-2.so", "SoftHSM", "Implementation of PKCS11", "softhsm"}, // its words win
		{"libeTPkcs11.so", "SafeNet, Inc.", "SafeNet eToken PKCS#11", ""},
	} {
		if got := Classify(c.file, c.manufacturer, c.description); got != c.want {
			t.Errorf("%s %q %q: %q, want %q", c.file, c.manufacturer, c.description, got, c.want)
		}
	}
}

// Each vendor's section, added to the packaged file, is a module the
// signer loads with the vendor's library; the comment with the token's
// serial stays a comment, and a value with a line break cannot add a
// parameter or a section.
func TestDevicesINIParsesAsTheSignerDoes(t *testing.T) {
	all := vendorstest.PackagedINI
	for _, v := range All() {
		sec := v.DevicesINI("", "Token serial 0A1B2C3D (signing key)")
		mods, err := vendorstest.ParseDevicesINI(vendorstest.PackagedINI + "\n" + sec)
		if err != nil {
			t.Fatalf("%s: %v\n%s", v.ID, err, sec)
		}
		if len(mods) != 1 || mods[v.Server.Section]["library"] != v.Server.Library {
			t.Errorf("%s: the signer reads %v from\n%s", v.ID, mods, sec)
		}
		all += "\n" + sec
	}
	// Every vendor's section side by side: one module each.
	if mods, err := vendorstest.ParseDevicesINI(all); err != nil || len(mods) != len(All()) {
		t.Errorf("all sections: %v %v", mods, err)
	}
	v, _ := ByID("jacarta")
	evil := v.DevicesINI("/opt/jc/libjcPKCS11-2.so\n[softToken]\nenabled = false", "x\nlibrary = /evil.so")
	mods, err := vendorstest.ParseDevicesINI(evil)
	if err != nil || len(mods) != 1 || mods["jacarta"]["library"] != "/opt/jc/libjcPKCS11-2.so [softToken] enabled = false" || strings.Count(evil, "\n") != 3 {
		t.Errorf("line breaks in values: %v %v\n%s", mods, err, evil)
	}
	// The parser itself refuses what the signer skips.
	for _, bad := range []string{"[x]\nos_locking_ok = maybe\nlibrary = /a.so\n", "[x]\nenabled = true\n", "[x]\nlibrary=/a\n[x]\nlibrary=/b\n", "[x]\nlibrary = /a.so\nsign_mechanism = CKM_SHA1\n"} {
		if _, err := vendorstest.ParseDevicesINI(bad); err == nil {
			t.Errorf("accepted: %q", bad)
		}
	}
}
