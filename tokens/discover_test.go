package tokens

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Discovery walks the vendor table: on each OS, the libraries that are
// there (empty stand-ins in a folder standing for the disk: classification
// only, nothing is loaded) are found in the table's order and named by
// their vendor, from the place and from the file name alike.
func TestDiscoverFindsEachVendorsLibrary(t *testing.T) {
	for _, c := range []struct {
		goos    string
		present []string
		want    []string // vendors, in order
	}{
		{"linux", []string{"/usr/lib64/libjcPKCS11-2.so", "/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/librtpkcs11ecp.so"},
			[]string{"rutoken", "jacarta", "softhsm"}},
		{"linux", []string{"/usr/lib/libjcPKCS11-2.so"}, []string{"jacarta"}},
		{"windows", []string{`C:\Windows\System32\jcPKCS11-2.dll`, `C:\Windows\System32\rtpkcs11ecp.dll`}, []string{"rutoken", "jacarta"}},
		{"darwin", []string{"/Library/Frameworks/jcPKCS11-2.framework/jcPKCS11-2", "/Library/Frameworks/rtpkcs11ecp.framework/rtpkcs11ecp"},
			[]string{"rutoken", "jacarta"}},
		{"linux", []string{"/usr/lib/libeTPkcs11.so"}, nil}, // not a vendor of the table
	} {
		t.Setenv("SystemRoot", `C:\Windows`)
		disk := t.TempDir()
		onDisk := func(p string) string {
			return filepath.Join(disk, filepath.FromSlash(strings.ReplaceAll(strings.TrimPrefix(p, "C:"), `\`, "/")))
		}
		for _, p := range c.present {
			f := onDisk(p)
			if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		found := discover(c.goos, func(p string) bool { return fileExists(onDisk(p)) })
		var got []string
		for _, f := range found {
			got = append(got, f.Vendor)
			base := f.Path[strings.LastIndexAny(f.Path, `/\`)+1:]
			if k := classifyLibrary(base, "", ""); string(k) != f.Vendor || k.Vendor() != f.Vendor {
				t.Errorf("%s: %s found as %s, its name classified %s", c.goos, f.Path, f.Vendor, k)
			}
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s %v: found %v, want %v", c.goos, c.present, found, c.want)
		}
	}
	if k := classifyLibrary("opensc-pkcs11.so", "", ""); k != LibraryOpenSC || k.Vendor() != "" {
		t.Errorf("OpenSC: %s %q", k, k.Vendor())
	}
	if k := classifyLibrary("pkcs11.dll", "Aladdin R.D.", "JaCarta PKCS#11"); k != LibraryJaCarta {
		t.Errorf("JaCarta by its words: %s", k)
	}
}
