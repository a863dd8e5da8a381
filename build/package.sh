#!/usr/bin/env bash
# build/package.sh - the release files, into dist/ (called by `make package`):
#
#   tunduk-onboard_V_windows_amd64.exe       the wizard: icon, version info, manifest
#   tunduk-onboard_V_linux_amd64.tar.xz      the wizard, `fyne package` layout
#   tunduk-onboard_V-B_amd64.deb             the wizard + CLI, library deps declared
#   tunduk-onboard-cli_V_linux_amd64         the CLI (cgo: token verbs too)
#   tunduk-onboard-cli_V_linux_amd64_static  the server self-check, any glibc
#   tunduk-onboard-cli_V_windows_amd64.exe   the CLI for Windows (version info, manifest)
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
. build/goenv.sh
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
# A full build replaces the last one, so SHA256SUMS never lists stale files.
[ "$ONLY" != "win linux cli" ] || rm -f "$DIST"/tunduk-onboard* "$DIST/SHA256SUMS"
[ -x "$FYNE" ] || { echo "package.sh: $FYNE missing: make tools" >&2; exit 1; }
rm -rf "$DIST/.build"

# fyne package writes fyne.syso and a metadata .go file into the source
# folder while it builds; a .syso there would be linked into any other
# build of the same tree. So each target builds from a private copy of the
# tracked (and new, not ignored) files; the dot keeps it out of ./...
# The folder's name is the .exe's name for fyne package.
stage() {
	mkdir -p "$1"
	git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf - | tar -xf - -C "$1"
}

# The wizard without Fyne's emoji font (-tags no_emoji, as the Makefile
# builds it: why there); fyne package adds migrated_fynedo and release.
# The version goes in with -X for --version; fyne package lifts -ldflags
# out of GOFLAGS and adds its own (-H=windowsgui, -s -w).
XVER="-X=$MODULE/internal/version.Version=$VERSION"
LDFLAGS="-s -w $XVER"
# The copy may hold uncommitted files, so a VCS stamp would mislead: the
# version is FyneApp.toml's alone. (GOFLAGS is replaced for fyne below.)
export GOFLAGS=-buildvcs=false

build_win() {
	local src=$DIST/.build/win/tunduk-onboard
	stage "$src"
	step "Windows GUI"
	# fyne builds C with -fstack-protector-strong -D_FORTIFY_SOURCE=3, which
	# with mingw need libssp at link time; static, so the .exe stays one
	# file. Through a cgo directive in the main package only: CGO_LDFLAGS
	# in the environment would change every cgo package's build ID.
	printf '%s\n' 'package main' '' '// #cgo LDFLAGS: -l:libssp.a' 'import "C"' >"$src/zz_ssp_windows.go"
	# fyne package takes a manifest found beside the .exe instead of its own.
	sed "s/@VERSION@/$VERSION.$BUILD/; s/@NAME@/kg.tunduk.onboard/" build/package/windows.manifest \
		>"$src/tunduk-onboard.exe.manifest"
	(cd "$src" && unset CGO_CFLAGS CGO_LDFLAGS && GOFLAGS="-buildvcs=false -ldflags=$XVER" GOOS=windows GOARCH=amd64 CC=$MINGW_CC \
		"$FYNE" package --os windows --release --tags no_emoji)
	mv "$src/Tunduk Onboard.exe" "$DIST/tunduk-onboard_${VERSION}_windows_amd64.exe"
	step "Windows GUI done"
}

build_cli() {
	local src=$1
	step "CLI linux/amd64 (cgo), static, windows/amd64"
	(cd "$src" && go build -trimpath -ldflags "$LDFLAGS" \
		-o "$DIST/tunduk-onboard-cli_${VERSION}_linux_amd64" ./cmd/tunduk-onboard-cli)
	(cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "$LDFLAGS" \
		-o "$DIST/tunduk-onboard-cli_${VERSION}_linux_amd64_static" ./cmd/tunduk-onboard-cli)
	# The same manifest (UTF-8 code page for --module paths) and version
	# info, compiled by windres into a .syso only a Windows build links.
	local rsrc=$src/cmd/tunduk-onboard-cli/zz_rsrc_windows_amd64.syso
	sed "s/@VERSION@/$VERSION.$BUILD/; s/@NAME@/kg.tunduk.onboard.cli/" build/package/windows.manifest \
		>"$src/cli.manifest"
	sed "s/@VERSION@/$VERSION.$BUILD/g; s/@VERSIONCOMMA@/$(echo "$VERSION.$BUILD" | tr . ,)/g; s|@MANIFEST@|$src/cli.manifest|" \
		build/package/cli.rc >"$src/cli.rc"
	x86_64-w64-mingw32-windres -i "$src/cli.rc" -O coff -o "$rsrc"
	# cgo through mingw so the token verbs load rtPKCS11ECP.dll on Windows.
	# (Go's default C flags: the hardening ones of build/goenv.sh would need
	# mingw's libssp, and nothing Linux compiled fits a Windows build.)
	(cd "$src" && unset CGO_CFLAGS CGO_LDFLAGS && CGO_ENABLED=1 CC=$MINGW_CC GOOS=windows GOARCH=amd64 go build -trimpath \
		-ldflags "$LDFLAGS" -o "$DIST/tunduk-onboard-cli_${VERSION}_windows_amd64.exe" ./cmd/tunduk-onboard-cli)
	rm "$rsrc"
}

# The wizard's .tar.xz first: build/test-all.sh starts the real-window
# walk as soon as it is in DIST (mv: it appears whole), beside the rest.
build_linux_tarxz() {
	local src=$1
	step "Linux GUI .tar.xz"
	# fyne adds the flags build/goenv.sh set to those already set: clear them,
	# and it compiles with the same ones (the cached OpenGL bindings fit).
	(cd "$src" && unset CGO_CFLAGS CGO_LDFLAGS && GOFLAGS="-buildvcs=false -ldflags=$XVER" \
		"$FYNE" package --os linux --release --tags no_emoji --name tunduk-onboard)
	mv "$src/tunduk-onboard.tar.xz" "$DIST/tunduk-onboard_${VERSION}_linux_amd64.tar.xz"
}

build_linux_deb() {
	local src=$1
	step "Linux .deb"
	local cli=$DIST/tunduk-onboard-cli_${VERSION}_linux_amd64
	[ -f "$cli" ] || (cd "$src" && go build -trimpath -ldflags "$LDFLAGS" -o "$cli" ./cmd/tunduk-onboard-cli)
	build/package-deb.sh "$DIST/tunduk-onboard_${VERSION}_linux_amd64.tar.xz" "$cli" "$VERSION-$BUILD" \
		"$DIST/tunduk-onboard_${VERSION}-${BUILD}_amd64.deb"
}

# The two GUI builds each spend minutes in one C compiler process (the
# OpenGL bindings) on a cold cache: run the Windows one beside the rest.
winpid=""
if want win; then
	# In its own process group (set -m), so a failure of the rest can stop
	# it with everything it started.
	set -m
	build_win >"$DIST/.build-win.log" 2>&1 &
	winpid=$!
	set +m
	trap '[ -z "$winpid" ] || kill -- -"$winpid" 2>/dev/null || true' EXIT
fi
if want cli || want linux; then
	stage "$DIST/.build/linux/tunduk-onboard"
	# (if, not ||: errexit is off inside a function called from a || list)
	if want linux; then build_linux_tarxz "$DIST/.build/linux/tunduk-onboard"; fi
	if want cli; then build_cli "$DIST/.build/linux/tunduk-onboard"; fi
	if want linux; then build_linux_deb "$DIST/.build/linux/tunduk-onboard"; fi
fi
if [ -n "$winpid" ]; then
	if ! wait "$winpid"; then
		winpid=""
		cat "$DIST/.build-win.log" >&2
		echo "package.sh: the Windows GUI build failed" >&2
		exit 1
	fi
	winpid=""
	cat "$DIST/.build-win.log"
	rm -f "$DIST/.build-win.log"
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
