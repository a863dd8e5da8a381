package installer

// A .deb's name and version, read on this computer (Windows and macOS
// have no dpkg-deb): a .deb is an ar archive whose control.tar.* holds the
// control file. X-Road's packages compress it with gzip (X-Road 7.4.2
// src/packages/src/xroad/ubuntu/generic/rules: dh_builddeb -- -Zgzip),
// which the standard library reads; for another compression the file's
// own name (NAME_VERSION_ARCH.deb) stands in, and the check on the server
// (dpkg-deb, pinScript) has the last word.

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// The bounds of what is read of a .deb for its control file.
const (
	maxControlTar  = 4 << 20 // the compressed control member
	maxControlFile = 1 << 20
)

// debControl is the Package and Version of the .deb at path.
func debControl(path string) (name, version string, err error) {
	f, err := readcap.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic := make([]byte, 8)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != "!<arch>\n" {
		return "", "", errors.New("not an ar archive")
	}
	for {
		hdr := make([]byte, 60)
		if _, err := io.ReadFull(r, hdr); err != nil {
			return "", "", errors.New("no control member")
		}
		member := strings.TrimRight(strings.TrimSpace(string(hdr[:16])), "/")
		size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil || size < 0 {
			return "", "", errors.New("bad ar header")
		}
		if member == "control.tar.gz" {
			if size > maxControlTar {
				return "", "", errors.New("control member too large")
			}
			return controlFields(io.LimitReader(r, size))
		}
		if strings.HasPrefix(member, "control.tar") {
			return "", "", fmt.Errorf("control member %s: not gzip", member)
		}
		// Members are padded to an even size.
		if _, err := r.Discard(int(size + size%2)); err != nil {
			return "", "", errors.New("truncated archive")
		}
	}
}

func controlFields(r io.Reader) (name, version string, err error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return "", "", err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			return "", "", errors.New("no control file")
		}
		if strings.TrimPrefix(h.Name, "./") != "control" {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, maxControlFile))
		if err != nil {
			return "", "", err
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			k, v, ok := strings.Cut(string(line), ":")
			switch {
			case !ok:
			case k == "Package":
				name = strings.TrimSpace(v)
			case k == "Version":
				version = strings.TrimSpace(v)
			}
		}
		if name == "" {
			return "", "", errors.New("control file without Package")
		}
		return name, version, nil
	}
}

// debFromName reads NAME_VERSION_ARCH.deb.
func debFromName(path string) (name, version string, ok bool) {
	parts := strings.Split(strings.TrimSuffix(filepath.Base(path), ".deb"), "_")
	if len(parts) != 3 {
		return "", "", false
	}
	return parts[0], parts[1], true
}
