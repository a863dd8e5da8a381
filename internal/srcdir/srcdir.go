// Package srcdir finds this module's source tree for test support code
// that reads files beside it (the OpenAPI definition, the stand-in
// packages' sources). Everything is built with -trimpath (build/goenv.sh),
// so runtime.Caller names a file by its import path, not where it is.
package srcdir

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// Module is this module's path, as go.mod's module line says.
const Module = "github.com/tunduk-onboard/tunduk-onboard"

// Root returns the directory of this module's go.mod: the first one with
// our module line at or above the working directory (go test runs a
// package's tests in its directory).
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isOurs(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("srcdir: no go.mod of " + Module + " at or above the working directory")
		}
		dir = up
	}
}

// Path is Root joined with rel (slash-separated, from the module root).
func Path(rel string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, filepath.FromSlash(rel)), nil
}

func isOurs(gomod string) bool {
	f, err := os.Open(gomod)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" {
			return f[1] == Module
		}
	}
	return false
}
