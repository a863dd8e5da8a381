// Package version holds the product version, stamped at link time by the
// Makefile from FyneApp.toml (-X .../internal/version.Version=...).
package version

import "runtime/debug"

// Version is set by the linker; "dev" in a plain go build.
var Version = "dev"

// String is the version with the VCS revision when the build knows it.
func String() string {
	v := Version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}
