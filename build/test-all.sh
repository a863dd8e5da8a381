#!/usr/bin/env bash
# build/test-all.sh - the whole suite, as `make test` runs it (the
# packaging tools come first, from the Makefile):
#   1. the release packages build in the background (build/package.sh)
#      while lint (gofmt, go vet) and the Go suite run (build/test.sh): a
#      cold run of either spends minutes in one single-threaded C compile
#      of the OpenGL bindings, so on two cores they overlap instead of
#      queueing;
#   2. the packaging tests on those packages (build/test-package.sh), the
#      Go bootstrap in a clean Debian root among them;
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
cleanup() {
	# package.sh runs in its own process group (set -m below): stop all of it.
	[ -z "$pkgpid" ] || kill -- -"$pkgpid" 2>/dev/null || true
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

if wait "$pkgpid"; then
	pkgpid=""
	echo "test-all: release packages built ($(elapsed))"
	KEEP_DIST=$work/dist build/test-package.sh || { [ "$rc" -ne 0 ] || rc=1; }
else
	pkgpid=""
	tail -40 "$work/package.log"
	echo "FAIL release packages: build/package.sh failed (log above)"
	[ "$rc" -ne 0 ] || rc=1
fi
echo "test-all: packaging tests done ($(elapsed))"

make --no-print-directory fuzz || { [ "$rc" -ne 0 ] || rc=1; }
echo "test-all: done ($(elapsed)), exit $rc"
exit "$rc"
