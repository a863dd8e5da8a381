package targethost

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// StandinLocale is the stand-in profile's locale: not X-Road's own
// en_US.UTF-8, so a host shows that the installer makes both.
const StandinLocale = "ru_RU.UTF-8"

// StandinProfile writes the operator profile the stand-ins in debs are
// installed with, and returns its path: the embedded Tunduk profile whose
// package pins are the stand-ins' (name, version, architecture and
// SHA-256, so every one is checked, and a file changed after this call is
// refused), with the locale StandinLocale.
func StandinProfile(t testing.TB, debs string) string {
	t.Helper()
	raw, err := assets.FS.ReadFile("profiles/tunduk.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // the byte thresholds stay integers
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(debs, "*.deb"))
	var pins []profile.PackagePin
	for _, f := range files {
		field := func(name string) string {
			out, err := exec.Command("dpkg-deb", "-f", f, name).Output()
			if err != nil {
				t.Fatalf("dpkg-deb -f %s %s: %v", f, name, err)
			}
			return strings.TrimSpace(string(out))
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		pins = append(pins, profile.PackagePin{Name: field("Package"), Version: field("Version"), Arch: field("Architecture"),
			SHA256: hex.EncodeToString(sum[:]), Source: "build/targethost stand-in"})
	}
	doc["install"].(map[string]any)["package_pins"] = pins
	doc["locale"] = StandinLocale
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "standin-profile.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := profile.Load(path); err != nil {
		t.Fatalf("the stand-in profile does not load: %v", err)
	}
	return path
}
