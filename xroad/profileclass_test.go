package xroad_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// The class check reads a real jar on this computer through remote.Local,
// as it reads one on a server through SSH: found by its full or simple
// name, not taken for NIIS's SkKlass3, found in a jar with a ZIP64
// central directory (over 65535 entries) and behind 20 MiB of data the
// bounded read never fetches.
func TestHasClass(t *testing.T) {
	ctx := context.Background()
	h := &remote.Local{}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	jar := func(kyrgyz bool, filler int) []byte {
		b, err := xroadtest.ProxyJar(kyrgyz, filler)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tunduk, niis := write("tunduk.jar", jar(true, 100)), write("niis.jar", jar(false, 100))
	for _, c := range []struct {
		path, class string
		want        bool
	}{
		{tunduk, xroadtest.KyrgyzProfileClass, true},
		{tunduk, "KgSkKlass3CertificateProfileInfoProvider", true},
		{niis, xroadtest.KyrgyzProfileClass, false},
		{niis, "KgSkKlass3CertificateProfileInfoProvider", false},
		{niis, "SkKlass3CertificateProfileInfoProvider", true},
		{niis, "ee.ria.xroad.common.certificateprofile.impl.SkKlass3CertificateProfileInfoProvider", true},
		{tunduk, "impl.KgSkKlass3CertificateProfileInfoProvider", false}, // a full name is matched whole
	} {
		got, err := xroad.HasClass(ctx, h, c.path, c.class)
		if err != nil || got != c.want {
			t.Errorf("%s in %s: %v %v, want %v", c.class, filepath.Base(c.path), got, err, c.want)
		}
	}

	// A large entry before the directory: only the tail is read.
	padded := filepath.Join(dir, "padded.jar")
	{
		// A stored (uncompressed) entry of 20 MiB of random bytes.
		f, _ := os.Create(padded)
		zw := newStoredZip(t, f, 20<<20)
		zw.Close()
		f.Close()
	}
	if got, err := xroad.HasClass(ctx, &remote.Local{MaxOutput: 17 << 20}, padded, xroadtest.KyrgyzProfileClass); err != nil || !got {
		t.Errorf("jar with 20 MiB of data: %v %v", got, err)
	}

	if _, err := xroad.HasClass(ctx, h, filepath.Join(dir, "absent.jar"), "X"); !errors.Is(err, xroad.ErrNoJar) {
		t.Errorf("no jar: %v", err)
	}
	if _, err := xroad.HasClass(ctx, h, write("text.jar", []byte("not a zip at all, just some text")), "X"); err == nil {
		t.Error("a file that is no zip was read as one")
	}
}

// TestHasClassZIP64: more entries than a plain zip can count. Left out of
// the race run: no goroutines here, and writing 70,000 entries took it a
// minute.
func TestHasClassZIP64(t *testing.T) {
	if raceRun {
		t.Skip("no goroutines; a minute under the race detector")
	}
	ctx := context.Background()
	zip64, err := xroadtest.ProxyJar(true, 70000)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(zip64[len(zip64)-200:], []byte("PK\x06\x06")) {
		t.Fatal("the writer made no ZIP64 record: the case is not tested")
	}
	big := filepath.Join(t.TempDir(), "zip64.jar")
	if err := os.WriteFile(big, zip64, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := xroad.HasClass(ctx, &remote.Local{}, big, xroadtest.KyrgyzProfileClass); err != nil || !got {
		t.Errorf("ZIP64 jar: %v %v", got, err)
	}
}

func newStoredZip(t *testing.T, f *os.File, size int) *zip.Writer {
	t.Helper()
	zw := zip.NewWriter(f)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "lib/big.bin", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, size)
	rand.Read(buf)
	w.Write(buf)
	for _, n := range []string{"ee/ria/xroad/common/certificateprofile/impl/KgSkKlass3CertificateProfileInfoProvider.class", "META-INF/MANIFEST.MF"} {
		w, _ := zw.Create(n)
		w.Write([]byte("x"))
	}
	return zw
}
