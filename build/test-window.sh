#!/usr/bin/env bash
# build/test-window.sh - the real-window walk (make test-window; make test
# runs it beside the packaging tests): the wizard as users get it, under
# Xvfb, in en, ru and ky at 1280x800 and 1024x768, all six at once, driven
# by real X input (xdotool) through every step, every button and every
# dialog. The walk is a Go test in build/window (tag `window`, so `go test
# ./...` leaves it alone): it starts its own X servers, sshd, admin API
# fake and SoftHSM2 token, reads the wizard's walk log
# (TUNDUK_ONBOARD_WALK_LOG) and fails on a panic or error in the wizard's
# log or stderr, a window grown past the screen, or text cut or squeezed.
#
# The wizard: the Linux release (.tar.xz) when WALK_TARXZ names one (make
# test passes the one it built), else WALK_BIN, else bin/tunduk-onboard
# (make's build: the release's flags, build/goenv.sh).
# Env: WALK_OUT=dir keeps every screenshot and log; WALK_GALLERY=dir writes
# the README gallery there (make gallery); WALK_ONLY="ru-1024x768 ..."
# walks only those. Needs root (the sshd) and build/deps.sh's packages;
# with CI=true a missing part fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. build/goenv.sh
export LANG=en_US.UTF-8

work=$(mktemp -d /tmp/test-window.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ -n "${WALK_TARXZ:-}" ]; then
	tar -xJf "$WALK_TARXZ" -C "$work"
	WALK_BIN=$(find "$work" -type f -name tunduk-onboard -path '*/bin/*' | head -n1)
	[ -n "$WALK_BIN" ] || { echo "test-window: no bin/tunduk-onboard in $WALK_TARXZ" >&2; exit 1; }
elif [ -z "${WALK_BIN:-}" ]; then
	make --no-print-directory bin/tunduk-onboard
	WALK_BIN=$ROOT/bin/tunduk-onboard
fi
export WALK_BIN
# The test runs in build/window: the folders it is given must be absolute.
for v in WALK_OUT WALK_GALLERY; do
	if [ -n "${!v:-}" ]; then
		mkdir -p "${!v}"
		export "$v=$(cd "${!v}" && pwd)"
	fi
done

t0=$(date +%s)
# -parallel 6: the six walks at once, each on its own X server.
set +e
go test -tags window -count=1 -parallel 6 -timeout 20m -v ./build/window/ 2>&1 |
	grep -v -E '^=== (RUN|PAUSE|CONT|NAME)'
rc=${PIPESTATUS[0]}
set -e
echo "test-window: $(($(date +%s) - t0))s, exit $rc"
exit "$rc"
