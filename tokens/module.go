// Package tokens drives PKCS#11 tokens (Rutoken ECP, SoftHSM2) through
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

// ModuleCandidates returns the usual PKCS#11 library paths for runtime.GOOS:
// the Rutoken library first, then SoftHSM2.
func ModuleCandidates() []string {
	return moduleCandidatesFor(runtime.GOOS)
}

func moduleCandidatesFor(goos string) []string {
	switch goos {
	case "windows":
		sys := os.Getenv("SystemRoot")
		if sys == "" {
			sys = `C:\Windows`
		}
		// Absolute paths only: a bare DLL name would also be searched for
		// in the program's own folder, where a stray copy could be loaded.
		return []string{
			sys + `\System32\rtpkcs11ecp.dll`, // Windows separators on any build host
			`C:\SoftHSM2\lib\softhsm2-x64.dll`,
			`C:\SoftHSM2\lib\softhsm2.dll`,
		}
	case "darwin":
		return []string{
			"/Library/Frameworks/rtpkcs11ecp.framework/rtpkcs11ecp",
			"/Library/Frameworks/rtpkcs11ecp.framework/Versions/Current/rtpkcs11ecp",
			"/usr/local/lib/librtpkcs11ecp.dylib",
			"/opt/homebrew/lib/softhsm/libsofthsm2.so",
			"/usr/local/lib/softhsm/libsofthsm2.so",
		}
	default:
		return []string{
			"/usr/lib/librtpkcs11ecp.so",
			"/usr/lib/x86_64-linux-gnu/librtpkcs11ecp.so",
			"/usr/lib64/librtpkcs11ecp.so",
			"/opt/aktivco/rutokenecp/x86_64/librtpkcs11ecp.so",
			"/opt/aktivco/rutokenecp/amd64/librtpkcs11ecp.so",
			"/usr/lib/softhsm/libsofthsm2.so",
			"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
			"/usr/local/lib/softhsm/libsofthsm2.so",
			"/usr/lib64/pkcs11/libsofthsm2.so",
		}
	}
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
			return nil, fmt.Errorf("%w: %s does not exist (%v); install the Rutoken driver (librtpkcs11ecp) or give the library path with --module", ErrModuleLoad, path, err)
		}
	}
	p11log.WithField("module", path).Debug("loading PKCS#11 module")
	ctx := pkcs11.New(path)
	if ctx == nil {
		return nil, fmt.Errorf("%w: %s could not be loaded (not a PKCS#11 library for this system, or a dependency is missing); install the Rutoken driver (librtpkcs11ecp) or give the library path with --module", ErrModuleLoad, path)
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
	return nil, fmt.Errorf("%w: no PKCS#11 library found; tried %s; install the Rutoken driver (librtpkcs11ecp) or give the library path with --module", ErrModuleLoad, strings.Join(tried, ", "))
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
