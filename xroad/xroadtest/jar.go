package xroadtest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// KyrgyzProfileClass is the certificate profile class Tunduk's xroad-proxy
// adds to proxy-1.0.jar, with two inner classes (the public third-party
// setup github.com/goodwokdev/tunduk-security-server,
// docs/superpowers/specs/2026-06-22-tunduk-patched-image-design.md, lists
// these three entries as the only difference from NIIS's packages).
const KyrgyzProfileClass = "ee.ria.xroad.common.certificateprofile.impl.KgSkKlass3CertificateProfileInfoProvider"

// niisProfileClasses are the certificate profile classes of X-Road 7.4.2
// itself (src/common/common-util/src/main/java/ee/ria/xroad/common/certificateprofile/impl/),
// in every proxy-1.0.jar. SkKlass3 is there: a check must not take it for
// KgSkKlass3.
var niisProfileClasses = []string{
	"BasicCertificateProfileInfoProvider", "EjbcaCertificateProfileInfoProvider", "FiVRKCertificateProfileInfoProvider",
	"FoCertificateProfileInfoProvider", "IsCertificateProfileInfoProvider", "SkEsteIdCertificateProfileInfoProvider",
	"SkKlass3CertificateProfileInfoProvider",
}

// ProxyJar is a stand-in for proxy-1.0.jar: a real jar (a zip with a
// manifest) whose entries are NIIS's certificate profile classes, filler
// more entries (a real one has tens of thousands: its dependencies are
// shaded in, X-Road 7.4.2 src/proxy/build.gradle shadowJar), and, when
// kyrgyz, Tunduk's class with its inner ones. The entries hold a few bytes,
// compressed, so no name appears in the file but in the zip's headers.
func ProxyJar(kyrgyz bool, filler int) ([]byte, error) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	add := func(name string) error {
		f, err := w.Create(name)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(f, "stand-in for %s\n", name)
		return err
	}
	names := []string{"META-INF/MANIFEST.MF"}
	const impl = "ee/ria/xroad/common/certificateprofile/impl/"
	for _, c := range niisProfileClasses {
		names = append(names, impl+c+".class")
	}
	for i := 0; i < filler; i++ {
		names = append(names, fmt.Sprintf("shaded/dependency/p%d/Class%d.class", i/1000, i))
	}
	if kyrgyz {
		k := impl + "KgSkKlass3CertificateProfileInfoProvider"
		names = append(names, k+".class", k+"$KgSkAuthCertificateProfileInfo.class", k+"$KgSkSignCertificateProfileInfo.class")
	}
	for _, n := range names {
		if err := add(n); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// proxyJar is the fake server's proxy-1.0.jar, beside its certificate:
// Tunduk's (with the class) until SetProxyJar says otherwise.
func (s *Server) proxyJar() string {
	path := filepath.Join(filepath.Dir(s.cert), "proxy-1.0.jar")
	if _, err := os.Stat(path); os.IsNotExist(err) {
		s.SetProxyJar(true)
	}
	return path
}

// SetProxyJar writes the fake server's proxy-1.0.jar (AdminAPI().ProxyJar)
// with Tunduk's certificate profile class (kyrgyz) or as NIIS's packages
// have it, without.
func (s *Server) SetProxyJar(kyrgyz bool) {
	b, err := ProxyJar(kyrgyz, 50)
	if err == nil {
		err = os.WriteFile(filepath.Join(filepath.Dir(s.cert), "proxy-1.0.jar"), b, 0o644)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	s.noClass = !kyrgyz
	s.mu.Unlock()
}

// profileMissing is the CA's certificate profile failing to load: X-Road
// 7.4.2 src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/service/CertificateAuthorityService.java
// (getCertificateProfile) instantiates the class global configuration
// names for the CA (GetCertificateProfile.instance(), a class lookup in
// the admin service's class path, the jars of xroad-proxy among them) and
// wraps any failure in CertificateProfileInstantiationException,
// DeviationCodes.ERROR_INSTANTIATION_FAILED
// ("certificate_profile_instantiation_failure", no metadata).
// guess: Tunduk's global configuration names KyrgyzProfileClass for its
// CA, so the profile fails to load exactly when the jar lacks it (README,
// "What a real server must confirm"). The caller holds s.mu.
func (s *Server) profileMissing() bool { return s.noClass }
