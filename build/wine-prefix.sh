#!/usr/bin/env bash
# build/wine-prefix.sh DIR - a fresh 64-bit wine prefix in DIR for the
# package tests, with the test-only bcryptprimitives.dll stand-in (see
# build/wine/bcryptprimitives.c) in its system32. Prints nothing on success.
# Mono and Gecko are switched off: there is no internet to fetch them and
# Go programs need neither.
#
# wineboot takes 20-40 s here, so the prefix it makes is kept as a template
# under ${TUNDUK_TEST_CACHE:-/var/tmp/tunduk-onboard-pkgtest}, keyed by
# the wine version and this script and the stand-in's sources, and DIR
# gets a copy (about a second): the same prefix while its inputs are
# unchanged. TUNDUK_WINE_NOCACHE=1 makes one from scratch.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2p' "$0" >&2; exit 2; }
export WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$1

# make_prefix P: wineboot into P, then the stand-in DLL.
make_prefix() {
	mkdir -p "$1"
	WINEPREFIX=$1 wineboot --init >/dev/null 2>&1
	WINEPREFIX=$1 wineserver --wait
	local sys32=$1/drive_c/windows/system32
	[ -d "$sys32" ] || { echo "wine-prefix.sh: wineboot made no $sys32" >&2; exit 1; }
	x86_64-w64-mingw32-gcc -O2 -shared -o "$sys32/bcryptprimitives.dll" \
		"$HERE/wine/bcryptprimitives.c" "$HERE/wine/bcryptprimitives.def" -ladvapi32
}

if [ -n "${TUNDUK_WINE_NOCACHE:-}" ]; then
	make_prefix "$DIR"
	exit 0
fi

CACHE=${TUNDUK_TEST_CACHE:-/var/tmp/tunduk-onboard-pkgtest}
mkdir -p "$CACHE"
key=$( { wine --version; x86_64-w64-mingw32-gcc --version | head -1; cat "$0" "$HERE"/wine/*; } | sha256sum | cut -c1-16)
tmpl=$CACHE/wine-$key
# One maker at a time (parallel runs share the cache); a crashed maker
# leaves no template, only its .tmp, which the next one replaces.
exec 9>"$CACHE/wine.lock"
flock 9
if [ ! -f "$tmpl/.complete" ]; then
	rm -rf "$tmpl" "$tmpl.tmp"
	make_prefix "$tmpl.tmp"
	touch "$tmpl.tmp/.complete"
	mv "$tmpl.tmp" "$tmpl"
	# Templates of other inputs are stale.
	find "$CACHE" -maxdepth 1 -name 'wine-*' ! -name "wine-$key" -exec rm -rf {} +
fi
mkdir -p "$DIR"
cp -a "$tmpl/." "$DIR/"
rm -f "$DIR/.complete"
