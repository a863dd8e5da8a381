package installer

// The operator's package pins (profile install.package_pins): every .deb
// the install uses of a pinned package must have the pinned version and,
// where the pin has one, the pinned SHA-256. Checked twice: here, on the
// files of a packages folder before the plan is made (nothing reaches the
// server), and on the server by pinScript, on the very files apt will
// install (uploaded or fetched), before the index apt reads is written.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// PinMismatch is one .deb that is not what its pin says.
type PinMismatch struct {
	File    string // the file's name
	Package string
	What    string // "version" or "sha256"
	Got     string
	Want    string
}

// PinError refuses packages that do not match the profile's pins. Its
// Error is English, for logs; Explain keys it (installer.err.pin_*).
type PinError struct{ Mismatches []PinMismatch }

func (e *PinError) Error() string {
	var parts []string
	for _, m := range e.Mismatches {
		parts = append(parts, fmt.Sprintf("%s (%s): %s %s, the profile pins %s", m.File, m.Package, m.What, m.Got, m.Want))
	}
	return "packages not as the operator's profile pins them: " + strings.Join(parts, "; ")
}

// CheckPackages compares every .deb in dir with the pins of in. A package
// without a pin passes; nil when every pinned one matches.
func CheckPackages(dir string, in *profile.Install) error {
	debs, err := filepath.Glob(filepath.Join(dir, "*.deb"))
	if err != nil {
		return err
	}
	sort.Strings(debs)
	var bad []PinMismatch
	for _, d := range debs {
		name, version, err := debControl(d)
		if err != nil {
			var ok bool
			if name, version, ok = debFromName(d); !ok {
				continue // not identifiable here: the server's dpkg-deb decides
			}
		}
		pin, ok := in.Pin(name)
		if !ok {
			continue
		}
		base := filepath.Base(d)
		if version != pin.Version {
			bad = append(bad, PinMismatch{File: base, Package: name, What: "version", Got: version, Want: pin.Version})
		}
		if pin.SHA256 == "" {
			continue
		}
		sum, err := fileSHA256(d)
		if err != nil {
			return fmt.Errorf("reading %s: %w", base, err)
		}
		if sum != pin.SHA256 {
			bad = append(bad, PinMismatch{File: base, Package: name, What: "sha256", Got: sum, Want: pin.SHA256})
		}
	}
	if len(bad) > 0 {
		return &PinError{Mismatches: bad}
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	// Streamed, so no cap; but a FIFO or a device is no package.
	f, err := readcap.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// pinScript is sh, run in the directory of the .deb files, that checks
// each against the pins with dpkg-deb and sha256sum and exits 1, naming
// every file that does not match and both values, before anything else.
func pinScript(in *profile.Install) string {
	var cases strings.Builder
	for _, p := range in.PackagePins {
		fmt.Fprintf(&cases, "    %s) want_v=%s want_s=%s ;;\n", q(p.Name), q(p.Version), q(p.SHA256))
	}
	return fmt.Sprintf(`bad=0
for f in *.deb; do
  [ -e "$f" ] || continue
  name=$(dpkg-deb -f "$f" Package)
  ver=$(dpkg-deb -f "$f" Version)
  want_v='' want_s=''
  case "$name" in
%s  esac
  if [ -n "$want_v" ] && [ "$ver" != "$want_v" ]; then
    echo "pin: $f: $name version $ver, the operator's profile pins $want_v" >&2
    bad=1
  fi
  if [ -n "$want_s" ]; then
    got=$(sha256sum "$f" | cut -d ' ' -f 1)
    if [ "$got" != "$want_s" ]; then
      echo "pin: $f: SHA-256 $got, the operator's profile pins $want_s" >&2
      bad=1
    fi
  fi
done
if [ "$bad" != 0 ]; then
  echo "refusing the packages above: nothing was installed from them" >&2
  exit 1
fi
`, cases.String())
}

// indexScript writes the Packages index of the .deb files in the current
// directory with dpkg-deb and coreutils only (no dpkg-scanpackages, whose
// dpkg-dev pulls a toolchain, and no apt-ftparchive, whose apt-utils may
// itself be missing offline): each package's control fields plus
// Filename, Size and SHA256.
func indexScript(dir string) string {
	return fmt.Sprintf(`: > Packages.new
for f in *.deb; do
  [ -e "$f" ] || { echo "no .deb files in %s" >&2; exit 1; }
  dpkg-deb -f "$f" >> Packages.new
  printf 'Filename: ./%%s\nSize: %%s\nSHA256: %%s\n\n' "$f" "$(wc -c < "$f" | tr -d ' ')" "$(sha256sum "$f" | cut -d ' ' -f 1)" >> Packages.new
done
mv Packages.new Packages
`, dir)
}
