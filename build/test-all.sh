#!/usr/bin/env bash
# build/test-all.sh - the whole suite, as `make test` runs it (the
# packaging tools come first, from the Makefile):
#   1. the release packages build in the background (build/package.sh)
#      while lint (gofmt, go vet) and the Go suite run (build/test.sh): a
#      cold run of either spends minutes in one single-threaded C compile
#      of the OpenGL bindings, so on two cores they overlap instead of
#      queueing;
#   2. the packaging tests on those packages (build/test-package.sh), the
#      Go bootstrap in a clean Debian root among them, with the real-window
#      walk of the wizard from the .tar.xz beside them
#      (build/test-window.sh: Xvfb and xdotool, mostly waiting);
#   3. a short fuzz run of the probe parser.
# A failing part does not stop the others: every result is printed, and
# the exit status is the first failure's.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$(build/go.sh --dir):$PATH"
export PATH
export GOCACHE="${GOCACHE:-$(go env GOCACHE)}" GOMODCACHE="${GOMODCACHE:-$(go env GOMODCACHE)}"
t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0))s"; }

work=$(mktemp -d /tmp/test-all.XXXXXX)
pkgpid=""
winpid=""
cleanup() {
	# package.sh and the walk run in their own process groups (set -m
	# below): stop all of each.
	[ -z "$pkgpid" ] || kill -- -"$pkgpid" 2>/dev/null || true
	[ -z "$winpid" ] || kill -- -"$winpid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

set -m
DIST=$work/dist nice -n 5 build/package.sh >"$work/package.log" 2>&1 &
pkgpid=$!
set +m

rc=0
make --no-print-directory lint || rc=$?
build/test.sh || { [ "$rc" -ne 0 ] || rc=1; }
echo "test-all: Go suite done ($(elapsed))"

# walk_start: the real-window walk in the background, on the release
# .tar.xz when there is one (else make's build), its output kept for later.
walk_start() {
	set -m
	if [ -n "${1:-}" ]; then
		WALK_TARXZ=$1 build/test-window.sh >"$work/window.log" 2>&1 &
	else
		build/test-window.sh >"$work/window.log" 2>&1 &
	fi
	winpid=$!
	set +m
}

if wait "$pkgpid"; then
	pkgpid=""
	echo "test-all: release packages built ($(elapsed))"
	tarxz=""
	for f in "$work"/dist/tunduk-onboard_*_linux_amd64.tar.xz; do [ -f "$f" ] && tarxz=$f; done
	walk_start "$tarxz"
	KEEP_DIST=$work/dist build/test-package.sh || { [ "$rc" -ne 0 ] || rc=1; }
else
	pkgpid=""
	tail -40 "$work/package.log"
	echo "FAIL release packages: build/package.sh failed (log above)"
	[ "$rc" -ne 0 ] || rc=1
	walk_start ""
fi
echo "test-all: packaging tests done ($(elapsed))"
wrc=0
wait "$winpid" || wrc=$?
winpid=""
cat "$work/window.log"
if [ "$wrc" -ne 0 ]; then
	echo "FAIL the real-window walk (build/test-window.sh, log above)"
	[ "$rc" -ne 0 ] || rc=1
fi
echo "test-all: window walk done ($(elapsed))"

make --no-print-directory fuzz || { [ "$rc" -ne 0 ] || rc=1; }
echo "test-all: done ($(elapsed)), exit $rc"
exit "$rc"
