// Package tokens drives PKCS#11 tokens (Rutoken ECP, JaCarta, SoftHSM2) through
// github.com/miekg/pkcs11: discovery, token state, initialisation, PINs,
// the RSA signing key and a crypto.Signer over it.
package tokens

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
	"github.com/sirupsen/logrus"

	"github.com/tunduk-onboard/tunduk-onboard/tokens/vendors"
)

// p11log is the package logger; only steps without secrets are logged, at Debug.
var p11log = logrus.WithField("component", "tokens")

// ErrModuleLoad is wrapped by every error of OpenModule and FindModule.
var ErrModuleLoad = errors.New("PKCS#11 module not loaded")

// Module is one loaded PKCS#11 library with its single context in this process.
type Module struct {
	path string
	ctx  *pkcs11.Ctx
	mu   sync.Mutex // serialises every PKCS#11 operation on this module

	logins map[uint]int // open logins per slot (guarded by mu)
	lib    LibraryInfo  // what the library said about itself when opened
}

var (
	modulesMu sync.Mutex
	modules   = map[string]*Module{}
)

// ModuleCandidates returns the usual PKCS#11 library paths for
// runtime.GOOS, every vendor's of tokens/vendors in its order: the
// Rutoken's first, then JaCarta's, SoftHSM2's last.
func ModuleCandidates() []string {
	return moduleCandidatesFor(runtime.GOOS)
}

func moduleCandidatesFor(goos string) []string {
	var out []string
	for _, c := range vendors.Candidates(goos) {
		out = append(out, c.Path)
	}
	return out
}

// Found is a vendor's PKCS#11 library found where that vendor's usually
// is: named by its place, not loaded yet.
type Found struct {
	Path   string
	Vendor string // a vendors.Vendor ID
}

// Discover lists the vendors' libraries present on this computer, in the
// table's order, without loading any (loading runs the library's code:
// FindModule does that, for the one it uses).
func Discover() []Found { return discover(runtime.GOOS, fileExists) }

func discover(goos string, exists func(string) bool) []Found {
	var out []Found
	for _, c := range vendors.Candidates(goos) {
		if exists(c.Path) {
			out = append(out, Found{Path: c.Path, Vendor: c.Vendor})
		}
	}
	return out
}

// fileExists: path is there and not a folder.
func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// OpenModule loads and initialises the PKCS#11 library at path, once per
// process: later calls with the same path return the same *Module.
func OpenModule(path string) (*Module, error) {
	if strings.TrimSpace(path) == "" {
		return nil, fmt.Errorf("%w: no module path given; install the Rutoken driver or give --module", ErrModuleLoad)
	}
	key := path
	if abs, err := filepath.Abs(path); err == nil && strings.ContainsRune(path, filepath.Separator) {
		key = filepath.Clean(abs)
	}
	modulesMu.Lock()
	defer modulesMu.Unlock()
	if m, ok := modules[key]; ok {
		return m, nil
	}
	if strings.ContainsRune(path, filepath.Separator) {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%w: %s does not exist (%v); install the Rutoken driver (librtpkcs11ecp) or JaCarta's (libjcPKCS11-2), or give the library path with --module", ErrModuleLoad, path, err)
		}
	}
	p11log.WithField("module", path).Debug("loading PKCS#11 module")
	ctx := pkcs11.New(path)
	if ctx == nil {
		return nil, fmt.Errorf("%w: %s could not be loaded (not a PKCS#11 library for this system, or a dependency is missing); install the Rutoken driver (librtpkcs11ecp) or JaCarta's (libjcPKCS11-2), or give the library path with --module", ErrModuleLoad, path)
	}
	if err := ctx.Initialize(); err != nil && !isCode(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		ctx.Destroy()
		return nil, fmt.Errorf("%w: %s: C_Initialize failed: %v; check the module's configuration or give another library with --module", ErrModuleLoad, path, err)
	}
	m := &Module{path: path, ctx: ctx}
	m.lib = m.readLibraryInfo()
	modules[key] = m
	p11log.WithFields(map[string]any{"module": path, "kind": m.lib.Kind, "manufacturer": m.lib.Manufacturer,
		"description": m.lib.Description}).Debug("PKCS#11 module initialised")
	return m, nil
}

// FindModule opens userPath if it is set, else the first of ModuleCandidates that loads.
func FindModule(userPath string) (*Module, error) {
	if userPath != "" {
		return OpenModule(userPath)
	}
	return findModuleIn(ModuleCandidates())
}

func findModuleIn(candidates []string) (*Module, error) {
	var tried []string
	for _, p := range candidates {
		m, err := OpenModule(p)
		if err == nil {
			return m, nil
		}
		reason := "cannot be loaded"
		if _, serr := os.Stat(p); serr != nil {
			reason = "not found"
		}
		tried = append(tried, p+" ("+reason+")")
	}
	return nil, fmt.Errorf("%w: no PKCS#11 library found; tried %s; install the Rutoken driver (librtpkcs11ecp) or JaCarta's (libjcPKCS11-2), or give the library path with --module", ErrModuleLoad, strings.Join(tried, ", "))
}

// Path returns the library path the module was opened with.
func (m *Module) Path() string { return m.path }

// isCode reports whether err is the PKCS#11 return value code.
func isCode(err error, code uint) bool {
	var e pkcs11.Error
	return errors.As(err, &e) && uint(e) == code
}

// ckrCode returns the CKR_ value inside err, or 0 if there is none.
func ckrCode(err error) uint {
	var e pkcs11.Error
	if errors.As(err, &e) {
		return uint(e)
	}
	return 0
}
