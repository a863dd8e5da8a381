package profile

// The operator's packages: where they come from (a signed apt repository
// or a flat one) and what each must be (its pin).

import (
	"fmt"
	"regexp"
	"strings"
)

// PackagePin is one of the operator's packages as the profile knows it.
type PackagePin struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Arch is the package's Architecture (all, amd64, ...): with Name and
	// Version it names the file (File).
	Arch string `json:"arch"`
	// SHA256 is the .deb's SHA-256 in hex; empty where it is not known.
	SHA256 string `json:"sha256"`
	// Source says where the SHA-256 comes from, for people.
	Source string `json:"source,omitempty"`
}

// File is the .deb's file name, as dpkg-deb and repositories name it.
func (p PackagePin) File() string { return p.Name + "_" + p.Version + "_" + p.Arch + ".deb" }

// Pin is the pin of the package name, if the profile has one.
func (in *Install) Pin(name string) (PackagePin, bool) {
	for _, p := range in.PackagePins {
		if p.Name == name {
			return p, true
		}
	}
	return PackagePin{}, false
}

var (
	// Debian policy 5.6.12, without the epoch (file names carry none).
	debVersionRE = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~-]*$`)
	debArchRE    = regexp.MustCompile(`^[a-z0-9]+$`)
	sha256RE     = regexp.MustCompile(`^[0-9a-f]{64}$`)
	javaClassRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
)

// unsafeURL are characters that have no place in a URL the installer puts
// into a shell script.
const unsafeURL = " '\"\n\\`$;&|<>"

func (in *Install) validateRepository() *Error {
	bad := func(field, problem string) *Error {
		return &Error{Field: "install." + field, Problem: problem}
	}
	switch {
	case in.Repository != "" && in.FlatRepository != "":
		return bad("flat_repository", "give either repository (a signed apt repository) or flat_repository, not both")
	case in.FlatRepository == "":
		if !aptLineRE.MatchString(in.Repository) {
			return bad("repository", `must be one apt line "deb https://HOST/PATH SUITE COMPONENT", without [options]`)
		}
		if !strings.HasPrefix(in.RepositoryKeyURL, "https://") || strings.ContainsAny(in.RepositoryKeyURL, unsafeURL) {
			return bad("repository_key_url", "must be an https:// URL")
		}
		if fp := strings.ReplaceAll(in.RepositoryKeyFingerprint, " ", ""); fp != "" && !fingerprintRE.MatchString(fp) {
			return bad("repository_key_fingerprint", "must be empty or 40 hex digits")
		}
	default:
		u := in.FlatRepository
		if !strings.HasPrefix(u, "https://") || len(u) <= len("https://") || !strings.HasSuffix(u, "/") || strings.ContainsAny(u, unsafeURL) {
			return bad("flat_repository", "must be an https:// URL ending in /")
		}
		if in.RepositoryKeyURL != "" || in.RepositoryKeyFingerprint != "" {
			return bad("repository_key_url", "a flat repository has no signing key: its packages are checked against their pins")
		}
		if len(in.FlatPackages) == 0 {
			return bad("flat_packages", "must list the packages to fetch from the flat repository")
		}
	}
	seen := map[string]bool{}
	for i, p := range in.PackagePins {
		field := fmt.Sprintf("package_pins[%d]", i)
		switch {
		case !debPackageRE.MatchString(p.Name):
			return bad(field+".name", "must be a Debian package name")
		case seen[p.Name]:
			return bad(field+".name", "is pinned twice")
		case !debVersionRE.MatchString(p.Version):
			return bad(field+".version", "must be a Debian version without an epoch")
		case !debArchRE.MatchString(p.Arch):
			return bad(field+".arch", "must be a Debian architecture (all, amd64, ...)")
		case p.SHA256 != "" && !sha256RE.MatchString(p.SHA256):
			return bad(field+".sha256", "must be empty or 64 lower-case hex digits")
		case strings.ContainsAny(p.Source, "\n\r"):
			return bad(field+".source", "must be one line")
		}
		seen[p.Name] = true
	}
	if in.ProfileClass != "" && !javaClassRE.MatchString(in.ProfileClass) {
		return bad("profile_class", "must be empty or a Java class name (a.b.C)")
	}
	for i, name := range in.FlatPackages {
		if !seen[name] {
			return bad(fmt.Sprintf("flat_packages[%d]", i), "has no pin in package_pins (its version and architecture name the file)")
		}
	}
	return nil
}
