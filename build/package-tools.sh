#!/usr/bin/env bash
# build/package-tools.sh PACKAGE VERSION OUT - build a pinned Go tool from
# the module proxy into OUT (tools/bin, gitignored), unless OUT is already
# that version (recorded beside it in OUT.version).
#
# Not `go install PACKAGE@VERSION`: that also asks the proxy for the
# module's version list (for deprecations), which the proxy here refuses
# for fyne.io/tools. A throwaway module that requires the version does not.
set -euo pipefail
[ $# -eq 3 ] || { sed -n '2p' "$0" >&2; exit 2; }
PKG=$1 VER=$2 OUT=$3
mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
# The go that go.mod asks for (build/go.sh: found, or brought), first on PATH.
godir=$("$(dirname "$0")/go.sh" --dir)
export PATH="$godir:$PATH"
if [ -x "$OUT" ] && [ "$(cat "$OUT.version" 2>/dev/null)" = "$PKG@$VER" ]; then
	exit 0
fi
echo "package-tools.sh: building $PKG@$VER"
mod=$(mktemp -d)
trap 'rm -rf "$mod"' EXIT
cd "$mod"
go mod init tools.local >/dev/null 2>&1
go get "$PKG@$VER" 2>/dev/null || go get "$PKG@$VER"
go build -trimpath -o "$OUT" "$PKG"
echo "$PKG@$VER" >"$OUT.version"
