// Package vendors is the table of the PKCS#11 tokens a participant's
// signing key may live on: where each vendor's library is on Linux,
// Windows and macOS, how it names itself, its USB vendor id, and the
// devices.ini section X-Road's signer loads it from on the security
// server. Plain data and no cgo, so the installer and the static CLI can
// use it (the tokens package, which loads the libraries, needs cgo).
//
// A path or name no public document settles is marked guess:; README
// ("What a real server must confirm") lists them.
package vendors

import (
	"os"
	"strings"
)

// Vendor is one kind of token.
type Vendor struct {
	// ID is the short name the profile, the CLI and the install use.
	ID string
	// Name is the token as people know it; Maker who makes it.
	Name, Maker string
	// USBVendor is the USB vendor id (lsusb), lower-case hex; "" for a
	// token that is not a USB device.
	USBVendor string
	// Libraries are the PKCS#11 library's usual paths per GOOS, in the
	// order they are tried.
	Libraries map[string][]Library
	// Words are what the library says of itself in C_GetInfo
	// (manufacturerID, libraryDescription), lower case: any one names it.
	Words []string
	// FileNames are lower-case parts of the library's file name that name
	// it when its own words do not.
	FileNames []string
	// Server is how the security server (Ubuntu) uses it.
	Server Server
	// TestOnly: never a production token (SoftHSM2 keeps keys in files).
	TestOnly bool
}

// Library is one place a library may be.
type Library struct {
	Path string
	// guess says what is not settled by a document, "" when the path is
	// documented (README lists every guess).
	guess string
}

// Server is a vendor's part on the security server.
type Server struct {
	// Section is the devices.ini section: the module's UID in X-Road's
	// signer, which also becomes part of the token's id on the server.
	Section string
	// Library is the PKCS#11 library's path on Ubuntu x86-64.
	Library string
	// Package is the Debian package that carries Library, as the vendor
	// ships it (not in Ubuntu's archive for Rutoken and JaCarta).
	Package string
	// guess says what of Library and Package is not documented.
	guess string
	// No vendor here is given a devices.ini parameter besides library:
	// "Only parameter library is mandatory" (X-Road 7.4.2
	// doc/Manuals/ig-ss_x-road_v6_security_server_installation_guide.md
	// 2.10, Note 1), and the signer's defaults stand (ModuleConf.java:
	// library_cant_create_os_threads and os_locking_ok unset,
	// sign_verify_pin false, sign_mechanism CKM_RSA_PKCS, the key
	// attributes' defaults). guess: that the vendors' libraries need
	// nothing more on a real server (README).
}

// windowsRoot stands for %SystemRoot% in Windows paths (expanded by
// Candidates): absolute paths only, never a bare DLL name that Windows
// would also look for beside the program.
const windowsRoot = "%SystemRoot%"

// The vendors, in the order discovery tries them: the token the seeds
// name first, SoftHSM2 last (tests only).
var table = []Vendor{
	{
		// Aktiv's Rutoken ECP 2.0: the token the operator's page names
		// («Рутокен 2.0»). Library names from Aktiv's SDK and
		// REQUIREMENTS.md (librtpkcs11ecp.so, rtpkcs11ecp.dll,
		// rtpkcs11ecp.framework); USB id 0a89 (the profile's
		// usb_token_vendors, lsusb "Aktiv").
		ID: "rutoken", Name: "Rutoken ECP 2.0", Maker: "Aktiv", USBVendor: "0a89",
		Libraries: map[string][]Library{
			"linux": {
				{Path: "/usr/lib/librtpkcs11ecp.so"},
				{Path: "/usr/lib/x86_64-linux-gnu/librtpkcs11ecp.so"},
				{Path: "/usr/lib64/librtpkcs11ecp.so"},
				{Path: "/opt/aktivco/rutokenecp/x86_64/librtpkcs11ecp.so"},
				{Path: "/opt/aktivco/rutokenecp/amd64/librtpkcs11ecp.so"},
			},
			"windows": {{Path: windowsRoot + `\System32\rtpkcs11ecp.dll`}},
			"darwin": {
				{Path: "/Library/Frameworks/rtpkcs11ecp.framework/rtpkcs11ecp"},
				{Path: "/Library/Frameworks/rtpkcs11ecp.framework/Versions/Current/rtpkcs11ecp"},
				{Path: "/usr/local/lib/librtpkcs11ecp.dylib"},
			},
		},
		Words:     []string{"aktiv", "rutoken"},
		FileNames: []string{"rtpkcs11"},
		// REQUIREMENTS.md: "[rutoken] then library = /usr/lib/librtpkcs11ecp.so".
		Server: Server{Section: "rutoken", Library: "/usr/lib/librtpkcs11ecp.so", Package: "librtpkcs11ecp",
			guess: "the Debian package name librtpkcs11ecp (Aktiv's .deb)"},
	},
	{
		// Aladdin R.D.'s JaCarta PKI (JaCarta-2 PKI/GOST): the PKCS#11
		// library of the JaCarta Unified Client, jcPKCS11-2. Aladdin's own
		// SDK sample loads /usr/lib/libjcPKCS11-2.so; Aladdin's rpm
		// (jcpkcs11-2_<version>_x64.rpm) puts it in /usr/lib64. USB vendor
		// id 24dc (Aladdin R.D.).
		ID: "jacarta", Name: "JaCarta PKI", Maker: "Aladdin R.D.", USBVendor: "24dc",
		Libraries: map[string][]Library{
			"linux": {
				{Path: "/usr/lib/libjcPKCS11-2.so"},
				{Path: "/usr/lib/x86_64-linux-gnu/libjcPKCS11-2.so", guess: "a multiarch path no JaCarta package is documented to use"},
				{Path: "/usr/lib64/libjcPKCS11-2.so"},
				{Path: "/usr/lib/pkcs11/libjcPKCS11-2.so", guess: "the pkcs11/ link some distributions' packages make"},
			},
			"windows": {{Path: windowsRoot + `\System32\jcPKCS11-2.dll`, guess: "seen in third-party code only"}},
			"darwin": {
				{Path: "/Library/Frameworks/jcPKCS11-2.framework/jcPKCS11-2", guess: "seen in third-party code only"},
				{Path: "/usr/local/lib/libjcPKCS11-2.dylib", guess: "seen in third-party code only"},
			},
		},
		// guess: what its C_GetInfo says (manufacturer, description).
		Words:     []string{"aladdin", "jacarta"},
		FileNames: []string{"jcpkcs11"},
		Server: Server{Section: "jacarta", Library: "/usr/lib/libjcPKCS11-2.so", Package: "jcpkcs11-2",
			guess: "the Debian package name jcpkcs11-2 (from the .deb file name jcPKCS11-2_<version>_amd64.deb)"},
	},
	{
		// SoftHSM2: a software token for tests and trials, never the
		// participant's (its keys are files). Debian/Ubuntu's softhsm2
		// package puts the library in /usr/lib/softhsm.
		ID: "softhsm", Name: "SoftHSM2", Maker: "OpenDNSSEC",
		Libraries: map[string][]Library{
			"linux": {
				{Path: "/usr/lib/softhsm/libsofthsm2.so"},
				{Path: "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"},
				{Path: "/usr/local/lib/softhsm/libsofthsm2.so"},
				{Path: "/usr/lib64/pkcs11/libsofthsm2.so"},
			},
			"windows": {
				{Path: `C:\SoftHSM2\lib\softhsm2-x64.dll`},
				{Path: `C:\SoftHSM2\lib\softhsm2.dll`},
			},
			"darwin": {
				{Path: "/opt/homebrew/lib/softhsm/libsofthsm2.so"},
				{Path: "/usr/local/lib/softhsm/libsofthsm2.so"},
			},
		},
		Words:     []string{"softhsm"},
		FileNames: []string{"softhsm"},
		Server:    Server{Section: "softhsm2", Library: "/usr/lib/softhsm/libsofthsm2.so", Package: "softhsm2"},
		TestOnly:  true,
	},
}

// Default is the vendor used when nothing says another: the token the
// operator's page names.
const Default = "rutoken"

// All returns the vendors in discovery order.
func All() []Vendor { return append([]Vendor(nil), table...) }

// ByID returns the vendor with id.
func ByID(id string) (Vendor, bool) {
	for _, v := range table {
		if v.ID == id {
			return v, true
		}
	}
	return Vendor{}, false
}

// IDs are the vendors' ids, in table order; production tokens only
// unless withTests.
func IDs(withTests bool) []string {
	var out []string
	for _, v := range table {
		if withTests || !v.TestOnly {
			out = append(out, v.ID)
		}
	}
	return out
}

// ByUSBVendor returns the vendor of a USB vendor id (hex, any case).
func ByUSBVendor(id string) (Vendor, bool) {
	id = strings.ToLower(strings.TrimSpace(id))
	for _, v := range table {
		if v.USBVendor != "" && v.USBVendor == id {
			return v, true
		}
	}
	return Vendor{}, false
}

// Candidate is a library path to try and the vendor it would be.
type Candidate struct {
	Path   string
	Vendor string
}

// Candidates are the library paths to try on goos, every vendor's in
// table order. %SystemRoot% is expanded from the environment
// (C:\Windows when unset).
func Candidates(goos string) []Candidate {
	root := os.Getenv("SystemRoot")
	if root == "" {
		root = `C:\Windows`
	}
	var out []Candidate
	for _, v := range table {
		for _, l := range v.Libraries[goos] {
			out = append(out, Candidate{Path: strings.Replace(l.Path, windowsRoot, root, 1), Vendor: v.ID})
		}
	}
	return out
}

// Classify names the vendor of a library from its file name and its own
// words (C_GetInfo); "" when none of the table's. Its words win over the
// name: a renamed copy of SoftHSM2 is still SoftHSM2.
func Classify(file, manufacturer, description string) string {
	words := strings.ToLower(manufacturer + " " + description)
	for _, v := range table {
		for _, w := range v.Words {
			if strings.Contains(words, w) {
				return v.ID
			}
		}
	}
	name := strings.ToLower(file)
	for _, v := range table {
		for _, f := range v.FileNames {
			if strings.Contains(name, f) {
				return v.ID
			}
		}
	}
	return ""
}
