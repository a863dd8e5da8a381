package connect

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// InternalCert is ./cert.pem of the server's internal TLS export
// (certs.tar.gz, InternalTlsCertificateService.java), read within the
// certificate cap; an *Error (connect.err.export_bad) when the archive
// holds none. Both front ends write it for the information system to
// trust.
func InternalCert(tgz []byte) ([]byte, error) {
	bad := &Error{Key: "connect.err.export_bad"}
	gz, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, bad
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil, bad
		}
		if strings.TrimPrefix(h.Name, "./") == "cert.pem" {
			b, err := io.ReadAll(io.LimitReader(tr, readcap.Certificate+1))
			if err != nil || len(b) > readcap.Certificate {
				return nil, bad
			}
			return b, nil
		}
	}
}
