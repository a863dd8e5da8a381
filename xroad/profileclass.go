package xroad

// Whether the installed X-Road carries a certificate profile class: the
// installer asks after the install, the configure flow before it makes a
// CSR. The CA's entry in the global configuration names the class that
// fills a CSR's subject; the admin API loads it by name and, when it is
// not there, refuses the CA's subject fields (X-Road 7.4.2
// src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/service/CertificateAuthorityService.java
// getCertificateProfile: CertificateProfileInstantiationException,
// DeviationCodes.ERROR_INSTANTIATION_FAILED). Tunduk's xroad-proxy adds
// such a class to proxy-1.0.jar that NIIS's packages lack.
//
// A jar is a zip, whose central directory at its end lists every entry
// by its name, uncompressed: a bounded read of the file's tail over the
// connection is enough, and the host needs no unzip.

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

const (
	// ProxyJar is where xroad-proxy installs its classes (X-Road 7.4.2
	// src/packages/src/xroad/ubuntu/generic/xroad-proxy.install:
	// proxy-1.0.jar into usr/share/xroad/jlib/; xroad-proxy.links makes
	// proxy.jar point to it).
	ProxyJar = "/usr/share/xroad/jlib/proxy-1.0.jar"
	// maxJarTail bounds the read: the central directory of a jar of tens
	// of thousands of classes is a few MiB.
	maxJarTail = 16 << 20
)

// ErrNoJar is a jar that is not on the host.
var ErrNoJar = errors.New("the jar is not on the server")

// HasClass says whether the jar at path on h holds class: a fully
// qualified name (a.b.C, the entry a/b/C.class) or a simple one (C, an
// entry .../C.class in any package). It reads only the end of the file
// (at most 16 MiB). A jar that is not there is ErrNoJar.
func HasClass(ctx context.Context, h remote.Host, path, class string) (bool, error) {
	q := remote.Quote(path)
	out, _, err := h.Run(ctx, "if [ ! -e "+q+" ]; then echo none; else wc -c < "+q+"; fi", nil)
	if err != nil {
		return false, fmt.Errorf("reading the size of %s: %w", path, err)
	}
	if strings.TrimSpace(string(out)) == "none" {
		return false, ErrNoJar
	}
	size, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil || size < 22 {
		return false, fmt.Errorf("%s: not a jar (size %q)", path, strings.TrimSpace(string(out)))
	}
	n := min(size, maxJarTail)
	tail, _, err := h.Run(ctx, "tail -c "+strconv.FormatInt(n, 10)+" "+q, nil)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(tail)) != n {
		return false, fmt.Errorf("%s changed while read", path)
	}
	names, err := zipNames(tail, size-n)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	full := strings.ReplaceAll(class, ".", "/") + ".class"
	for _, name := range names {
		if name == full || (!strings.Contains(class, ".") && strings.HasSuffix(name, "/"+full)) {
			return true, nil
		}
	}
	return false, nil
}

// zipNames lists the entry names of the central directory of a zip whose
// last bytes are tail, tail starting at offset base of the file.
func zipNames(tail []byte, base int64) ([]string, error) {
	le := binary.LittleEndian
	// The end of central directory record: at most 22 + 65535 (comment)
	// bytes from the end.
	from := max(0, len(tail)-22-65535)
	eocd := bytes.LastIndex(tail[from:], []byte("PK\x05\x06"))
	if eocd < 0 || from+eocd+22 > len(tail) {
		return nil, errors.New("no end of central directory: not a zip")
	}
	eocd += from
	count := int64(le.Uint16(tail[eocd+10:]))
	size := int64(le.Uint32(tail[eocd+12:]))
	offset := int64(le.Uint32(tail[eocd+16:]))
	if count == 0xffff || size == 0xffffffff || offset == 0xffffffff {
		// ZIP64: the locator just before points to the ZIP64 record.
		loc := eocd - 20
		if loc < 0 || !bytes.Equal(tail[loc:loc+4], []byte("PK\x06\x07")) {
			return nil, errors.New("no ZIP64 locator")
		}
		rec := int64(le.Uint64(tail[loc+8:])) - base
		if rec < 0 || rec+56 > int64(len(tail)) || !bytes.Equal(tail[rec:rec+4], []byte("PK\x06\x06")) {
			return nil, errors.New("ZIP64 record out of reach")
		}
		count = int64(le.Uint64(tail[rec+32:]))
		size = int64(le.Uint64(tail[rec+40:]))
		offset = int64(le.Uint64(tail[rec+48:]))
	}
	start := offset - base
	if start < 0 || start+size > int64(len(tail)) {
		return nil, fmt.Errorf("central directory (%d bytes) beyond the %d bytes read", size, len(tail))
	}
	cd := tail[start : start+size]
	var names []string
	for p := 0; int64(len(names)) < count; {
		if p+46 > len(cd) || !bytes.Equal(cd[p:p+4], []byte("PK\x01\x02")) {
			return nil, errors.New("bad central directory entry")
		}
		nameLen, extra, comment := int(le.Uint16(cd[p+28:])), int(le.Uint16(cd[p+30:])), int(le.Uint16(cd[p+32:]))
		if p+46+nameLen > len(cd) {
			return nil, errors.New("bad central directory entry")
		}
		names = append(names, string(cd[p+46:p+46+nameLen]))
		p += 46 + nameLen + extra + comment
	}
	return names, nil
}
