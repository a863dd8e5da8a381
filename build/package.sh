#!/usr/bin/env bash
# build/package.sh - the release files, into dist/ (called by `make package`):
#
#   tunduk-onboard_V_windows_amd64.exe       the wizard: icon, version info, manifest
#   tunduk-onboard_V_linux_amd64.tar.xz      the wizard, `fyne package` layout
#   tunduk-onboard_V-B_amd64.deb             the wizard + CLI, library deps declared
#   tunduk-onboard-cli_V_linux_amd64         the CLI (cgo: token verbs too)
#   tunduk-onboard-cli_V_linux_amd64_static  the server self-check, any glibc
#   tunduk-onboard-cli_V_windows_amd64.exe   the CLI for Windows
#   SHA256SUMS
#
# V and B (the build number) come from FyneApp.toml only. The .exe files are
# Authenticode-signed when a key is configured in the environment (never a
# file in the repository):
#   SIGN_PKCS12=file.p12 [SIGN_PASS_FILE=file]   or
#   SIGN_CERT=cert.pem SIGN_KEY=key.pem [SIGN_PASS_FILE=file]
#   [SIGN_TIMESTAMP_URL=http://...]              (needs a reachable TSA)
# Env: FYNE (the fyne CLI, default tools/bin/fyne), ONLY="win linux cli" to
# build a subset (tests), DIST (default dist).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FYNE=${FYNE:-$ROOT/tools/bin/fyne}
DIST=${DIST:-$ROOT/dist}
ONLY=${ONLY:-win linux cli}
MODULE=github.com/tunduk-onboard/tunduk-onboard
MINGW_CC=${MINGW_CC:-x86_64-w64-mingw32-gcc}

toml() { sed -n "s/^$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *\$/\1/p" FyneApp.toml | head -n1; }
VERSION=$(toml Version)
BUILD=$(toml Build)
[ -n "$VERSION" ] && [ -n "$BUILD" ] || { echo "package.sh: no Version/Build in FyneApp.toml" >&2; exit 1; }
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
step() { echo "package.sh: $* ($(date +%T))"; }

mkdir -p "$DIST"
# fyne package writes fyne.syso and a metadata .go file into the source
# folder while it builds; a .syso there would be linked into everyone's
# Linux build of the same tree. So build from a private copy of the
# tracked (and new, not ignored) files; the dot keeps it out of ./...
# The folder's name is the .exe's name for fyne package.
SRC=$DIST/.build/tunduk-onboard
rm -rf "$DIST/.build"
mkdir -p "$SRC"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
	[ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$SRC"

# The version goes in with -X for --version; fyne package lifts -ldflags
# out of GOFLAGS and adds its own (-H=windowsgui, -s -w).
XVER="-X=$MODULE/internal/version.Version=$VERSION"
LDFLAGS="-s -w $XVER"
# The copy may hold uncommitted files, so a VCS stamp would mislead: the
# version is FyneApp.toml's alone. (GOFLAGS is replaced for fyne below.)
export GOFLAGS=-buildvcs=false

if want win; then
	step "Windows GUI"
	[ -x "$FYNE" ] || { echo "package.sh: $FYNE missing: make tools" >&2; exit 1; }
	# fyne builds C with -fstack-protector-strong -D_FORTIFY_SOURCE=3, which
	# with mingw need libssp at link time; static, so the .exe stays one
	# file. Through a cgo directive in the main package only: CGO_LDFLAGS
	# in the environment would change every cgo package's build ID.
	printf '%s\n' 'package main' '' '// #cgo LDFLAGS: -l:libssp.a' 'import "C"' >"$SRC/zz_ssp_windows.go"
	# fyne package takes a manifest found beside the .exe instead of its own.
	sed "s/@VERSION@/$VERSION.$BUILD/" build/package/windows.manifest >"$SRC/tunduk-onboard.exe.manifest"
	(cd "$SRC" && GOFLAGS="-buildvcs=false -ldflags=$XVER" GOOS=windows GOARCH=amd64 CC=$MINGW_CC \
		"$FYNE" package --os windows --release)
	rm "$SRC/zz_ssp_windows.go" "$SRC/tunduk-onboard.exe.manifest"
	mv "$SRC/Tunduk Onboard.exe" "$DIST/tunduk-onboard_${VERSION}_windows_amd64.exe"
fi

if want cli; then
	step "CLI linux/amd64 (cgo), static, windows/amd64"
	(cd "$SRC" && go build -trimpath -ldflags "$LDFLAGS" \
		-o "$DIST/tunduk-onboard-cli_${VERSION}_linux_amd64" ./cmd/tunduk-onboard-cli)
	(cd "$SRC" && CGO_ENABLED=0 go build -trimpath -ldflags "$LDFLAGS" \
		-o "$DIST/tunduk-onboard-cli_${VERSION}_linux_amd64_static" ./cmd/tunduk-onboard-cli)
	# cgo through mingw so the token verbs load rtPKCS11ECP.dll on Windows.
	(cd "$SRC" && CGO_ENABLED=1 CC=$MINGW_CC GOOS=windows GOARCH=amd64 go build -trimpath \
		-ldflags "$LDFLAGS" -o "$DIST/tunduk-onboard-cli_${VERSION}_windows_amd64.exe" ./cmd/tunduk-onboard-cli)
fi

if want linux; then
	step "Linux GUI .tar.xz and .deb"
	[ -x "$FYNE" ] || { echo "package.sh: $FYNE missing: make tools" >&2; exit 1; }
	(cd "$SRC" && GOFLAGS="-buildvcs=false -ldflags=$XVER" "$FYNE" package --os linux --release --name tunduk-onboard)
	mv "$SRC/tunduk-onboard.tar.xz" "$DIST/tunduk-onboard_${VERSION}_linux_amd64.tar.xz"
	cli=$DIST/tunduk-onboard-cli_${VERSION}_linux_amd64
	[ -f "$cli" ] || (cd "$SRC" && go build -trimpath -ldflags "$LDFLAGS" -o "$cli" ./cmd/tunduk-onboard-cli)
	build/package-deb.sh "$DIST/tunduk-onboard_${VERSION}_linux_amd64.tar.xz" "$cli" "$VERSION-$BUILD" \
		"$DIST/tunduk-onboard_${VERSION}-${BUILD}_amd64.deb"
fi

if [ -n "${SIGN_PKCS12:-}${SIGN_CERT:-}" ]; then
	for exe in "$DIST"/*_windows_amd64.exe; do
		[ -f "$exe" ] && build/package-sign.sh "$exe"
	done
fi

rm -rf "$DIST/.build"
step "SHA256SUMS"
(cd "$DIST" && rm -f SHA256SUMS && find . -maxdepth 1 -type f ! -name SHA256SUMS ! -name '.*' -printf '%f\n' |
	sort | xargs -r sha256sum >SHA256SUMS)
ls -l "$DIST"
