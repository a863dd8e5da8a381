#!/usr/bin/env bash
# build/wine-prefix.sh DIR - a fresh 64-bit wine prefix in DIR for the
# package tests, with the test-only bcryptprimitives.dll stand-in (see
# build/wine/bcryptprimitives.c) in its system32. Prints nothing on success.
# Mono and Gecko are switched off: there is no internet to fetch them and
# Go programs need neither.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2p' "$0" >&2; exit 2; }
export WINEPREFIX=$1 WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WINEPREFIX"
wineboot --init >/dev/null 2>&1
wineserver --wait
sys32=$WINEPREFIX/drive_c/windows/system32
[ -d "$sys32" ] || { echo "wine-prefix.sh: wineboot made no $sys32" >&2; exit 1; }
x86_64-w64-mingw32-gcc -O2 -shared -o "$sys32/bcryptprimitives.dll" \
	"$HERE/wine/bcryptprimitives.c" "$HERE/wine/bcryptprimitives.def" -ladvapi32
