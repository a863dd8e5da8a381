package installer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// writeDeb writes a minimal .deb (ar: debian-binary, control.tar.gz,
// data.tar.gz) as dpkg-deb reads it, and returns its path and SHA-256.
func writeDeb(t *testing.T, dir, name, version, payload string) (string, string) {
	t.Helper()
	targz := func(files map[string]string) []byte {
		var b bytes.Buffer
		gz := gzip.NewWriter(&b)
		tw := tar.NewWriter(gz)
		for n, c := range files {
			tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg})
			tw.Write([]byte(c))
		}
		tw.Close()
		gz.Close()
		return b.Bytes()
	}
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: tests <t@example.invalid>\nDescription: test package\n test\n", name, version)
	var ar bytes.Buffer
	ar.WriteString("!<arch>\n")
	member := func(n string, data []byte) {
		fmt.Fprintf(&ar, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", n, 0, 0, 0, "100644", len(data))
		ar.Write(data)
		if len(data)%2 == 1 {
			ar.WriteByte('\n')
		}
	}
	member("debian-binary", []byte("2.0\n"))
	member("control.tar.gz", targz(map[string]string{"./control": control}))
	member("data.tar.gz", targz(map[string]string{"./usr/share/doc/" + name + "/payload": payload}))
	path := filepath.Join(dir, name+"_"+version+"_all.deb")
	if err := os.WriteFile(path, ar.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(ar.Bytes())
	return path, hex.EncodeToString(sum[:])
}

// pinnedProfile is the default profile whose pins are exactly pins.
func pinnedProfile(t *testing.T, pins ...profile.PackagePin) *profile.Profile {
	p := testProfile(t)
	p.Install.PackagePins = pins
	return p
}

// A .deb in the packages folder that is not what the profile pins is
// refused by Plan, before any step exists: nothing can reach the server.
// The error names the file and both sums, in every language.
func TestTamperedPackageRefusedBeforeThePlan(t *testing.T) {
	dir := t.TempDir()
	proxy, sum := writeDeb(t, dir, "xroad-proxy", "7.4.2-1.test", "the real proxy")
	writeDeb(t, dir, "librtpkcs11ecp", "2.0", "not the operator's: no pin")
	p := pinnedProfile(t, profile.PackagePin{Name: "xroad-proxy", Version: "7.4.2-1.test", Arch: "all", SHA256: sum})
	opt := options()
	opt.PackagesDir = dir
	if _, err := Plan(p, report(), opt); err != nil {
		t.Fatalf("matching packages refused: %v", err)
	}

	// The same name and version, other bytes.
	_, bad := writeDeb(t, dir, "xroad-proxy", "7.4.2-1.test", "a replaced proxy")
	steps, err := Plan(p, report(), opt)
	var pe *PinError
	if !errors.As(err, &pe) || steps != nil {
		t.Fatalf("a tampered package: plan %v, err %v", ids(steps), err)
	}
	key, data := Explain(err)
	if key != "installer.err.pin_sha256" {
		t.Fatalf("key %s", key)
	}
	for _, lang := range i18n.Languages {
		s := i18n.T(lang, key, data)
		for _, want := range []string{filepath.Base(proxy), sum, bad} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: %q lacks %s", lang, s, want)
			}
		}
	}

	// Another version is refused too, a pin without a sum checks the
	// version only.
	p.Install.PackagePins[0].SHA256 = ""
	if _, err := Plan(p, report(), opt); err != nil {
		t.Errorf("a pin without a SHA-256 refused the pinned version: %v", err)
	}
	p.Install.PackagePins[0].Version = "7.4.2-1.gita30be58.ubuntu22.04"
	_, err = Plan(p, report(), opt)
	if key, data := Explain(err); key != "installer.err.pin_version" || data["Got"] != "7.4.2-1.test" {
		t.Errorf("another version: %s %v (%v)", key, data, err)
	}
}

// The file name stands in when the control member is not gzip (or the
// file is no .deb at all), so a renamed-compression file is still caught.
func TestCheckPackagesByFileName(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "xroad-proxy_7.4.2-1.test_all.deb"), []byte("!<arch>\nnot really"), 0o644)
	p := pinnedProfile(t, profile.PackagePin{Name: "xroad-proxy", Version: "7.4.2-1.test", Arch: "all", SHA256: strings.Repeat("a", 64)})
	var pe *PinError
	if err := CheckPackages(dir, &p.Install); !errors.As(err, &pe) || pe.Mismatches[0].What != "sha256" {
		t.Errorf("got %v", err)
	}
}

// On the server the same check runs with dpkg-deb and sha256sum over the
// files apt will install, before the index is written: a file swapped
// after the plan was made (or fetched from the flat repository) is refused
// there, naming both sums.
func TestPinScriptOnTheServer(t *testing.T) {
	for _, tool := range []string{"dash", "dpkg-deb", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed")
		}
	}
	dir := t.TempDir()
	_, sum := writeDeb(t, dir, "xroad-proxy", "7.4.2-1.test", "the real proxy")
	writeDeb(t, dir, "xroad-base", "7.4.2-1.test", "base")
	p := pinnedProfile(t, profile.PackagePin{Name: "xroad-proxy", Version: "7.4.2-1.test", Arch: "all", SHA256: sum},
		profile.PackagePin{Name: "xroad-base", Version: "7.4.2-1.test", Arch: "all"})
	script := "set -e\ncd " + q(dir) + "\n" + pinScript(&p.Install) + indexScript(dir)
	run := func() (string, error) {
		out, err := exec.Command("dash", "-c", script).CombinedOutput()
		return string(out), err
	}
	if out, err := run(); err != nil {
		t.Fatalf("matching packages refused: %v\n%s", err, out)
	}
	idx, _ := os.ReadFile(filepath.Join(dir, "Packages"))
	if !strings.Contains(string(idx), "Package: xroad-proxy\n") || !strings.Contains(string(idx), "SHA256: "+sum+"\n") {
		t.Errorf("index:\n%s", idx)
	}
	os.Remove(filepath.Join(dir, "Packages"))
	_, bad := writeDeb(t, dir, "xroad-proxy", "7.4.2-1.test", "swapped")
	out, err := run()
	if err == nil || !strings.Contains(out, bad) || !strings.Contains(out, sum) || !strings.Contains(out, "xroad-proxy_7.4.2-1.test_all.deb") {
		t.Errorf("a swapped file: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "Packages")); err == nil {
		t.Error("the index was written although a package was refused")
	}
}

// The flat repository step fetches each pinned file by name, and refuses
// one the server sent that is not what the pin says: the Apply script run
// here against a directory of files "curl" serves, with the paths of the
// host replaced by temporary ones.
func TestFlatRepositoryFetchesAndChecks(t *testing.T) {
	for _, tool := range []string{"dash", "dpkg-deb", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed")
		}
	}
	served, bin, repo := t.TempDir(), t.TempDir(), t.TempDir()
	_, sum := writeDeb(t, served, "xroad-proxy", "7.4.2-1.test", "proxy")
	writeDeb(t, served, "xroad-base", "7.4.2-1.test", "base")
	// curl -fsSL --proto '=https' --retry 3 -o OUT URL: the file of URL's
	// last part, and the URLs asked for.
	os.WriteFile(filepath.Join(bin, "curl"), []byte(`#!/bin/sh
for a; do url=$a; done
while [ "$1" != -o ]; do shift; done
echo "$url" >> `+served+`/asked
cp `+served+`/"${url##*/}" "$2"
`), 0o755)
	p := testProfile(t)
	p.Install.FlatRepository = "https://deb.example.kg/flat/"
	p.Install.FlatPackages = []string{"xroad-proxy", "xroad-base"}
	p.Install.PackagePins = []profile.PackagePin{{Name: "xroad-proxy", Version: "7.4.2-1.test", Arch: "all", SHA256: sum},
		{Name: "xroad-base", Version: "7.4.2-1.test", Arch: "all"}}
	steps, err := Plan(p, report(), options())
	if err != nil {
		t.Fatal(err)
	}
	flat := step(t, steps, "flat-repository")
	if !strings.Contains(flat.Note.EN, "1 of the 2") || !strings.Contains(flat.Note.RU, "deb.example.kg") {
		t.Errorf("note: %+v", flat.Note)
	}
	script := strings.NewReplacer(LocalRepoDir, repo, localSources, repo+"/sources.list", aptGet+" update", "true").Replace(flat.Apply)
	run := func() (string, error) {
		cmd := exec.Command("dash", "-c", script)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(); err != nil {
		t.Fatalf("fetch: %v\n%s", err, out)
	}
	asked, _ := os.ReadFile(filepath.Join(served, "asked"))
	if string(asked) != "https://deb.example.kg/flat/xroad-proxy_7.4.2-1.test_all.deb\nhttps://deb.example.kg/flat/xroad-base_7.4.2-1.test_all.deb\n" {
		t.Errorf("asked for:\n%s", asked)
	}
	if src, _ := os.ReadFile(filepath.Join(repo, "sources.list")); string(src) != strings.Replace(localLine, LocalRepoDir, repo, 1)+"\n" {
		t.Errorf("source %q", src)
	}

	// The server sends another file under the pinned name.
	for _, f := range []string{"Packages", "sources.list", "xroad-proxy_7.4.2-1.test_all.deb"} {
		os.Remove(filepath.Join(repo, f))
	}
	writeDeb(t, served, "xroad-proxy", "7.4.2-1.test", "not the operator's")
	out, err := run()
	if err == nil || !strings.Contains(out, "pin: xroad-proxy_7.4.2-1.test_all.deb: SHA-256") || !strings.Contains(out, sum) {
		t.Errorf("a file unlike its pin: %v\n%s", err, out)
	}
	for _, f := range []string{"Packages", "sources.list"} {
		if _, err := os.Stat(filepath.Join(repo, f)); err == nil {
			t.Errorf("%s written although a package was refused", f)
		}
	}
}

// An operator with a signed apt repository (the other form a profile may
// have) gets the repository step, its key checked with gnupg.
func TestSignedRepositoryForm(t *testing.T) {
	p := testProfile(t)
	p.Install.FlatRepository, p.Install.FlatPackages = "", nil
	p.Install.Repository = "deb https://repo.example/xroad jammy-7.4.2 main"
	p.Install.RepositoryKeyURL = "https://repo.example/xroad/repository.gpg"
	steps, err := Plan(p, report(), options())
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(ids(steps), " ")
	if !strings.Contains(got, "firewall repository debconf") || strings.Contains(got, "flat-repository") {
		t.Errorf("steps %s", got)
	}
	if pre := step(t, steps, "apt-prerequisites"); !strings.Contains(pre.Apply, "gnupg") {
		t.Errorf("prerequisites: %s", pre.Apply)
	}
	if a := step(t, steps, "repository").Apply; !strings.Contains(a, "deb [signed-by="+keyringFile+"] https://repo.example/xroad jammy-7.4.2 main") {
		t.Errorf("repository:\n%s", a)
	}
	if s := Summary(p, options())[0].Text("en"); !strings.Contains(s, "repo.example") {
		t.Errorf("summary: %q", s)
	}
}
