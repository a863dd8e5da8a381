#!/usr/bin/env bash
# build/test-all.sh - the whole suite, as `make test` runs it (the
# packaging tools come first, from the Makefile). Two lanes, one per core:
#   lane 1: lint (gofmt, go vet), then the Go suite and its race run
#           (build/test.sh), then a short fuzz run of the probe parser;
#   lane 2: the release packages (build/package.sh), the wizard's .tar.xz
#           first: the real-window walk of the wizard starts from it at
#           once (build/test-window.sh: Xvfb and xdotool; en at 1280x800,
#           ru and ky at 1024x768, where `make test-window` walks all six)
#           beside the rest of the packages, the Windows build's minutes
#           of one C compiler process; then the packaging tests on them
#           (build/test-package.sh: wine, signing, the .deb and the Go
#           bootstrap in a clean Debian root). When the .tar.xz fails,
#           the walk runs on make's build.
# Beside both from the start: the booted test hosts' Debian image
# (build/targethost, mmdebstrap: mostly the mirror's downloads), which the
# Go suite's host tests would otherwise wait for (the first to need it
# built it while the rest of the suite compiled).
# On a fresh machine the Windows build runs cgo over the OpenGL bindings in
# one C compiler process for minutes, so lane 2 starts first and is not
# held back. The Linux builds of both lanes share what they compile
# (build/goenv.sh). Much of the Go suite waits on booted hosts and real
# servers, so the lanes overlap well on two cores.
# A failing part does not stop the others: every result is printed (lane
# 2's when it ends), and the exit status is the first failure's.
set -euo pipefail
cd "$(dirname "$0")/.."
. build/goenv.sh
t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0))s"; }

work=$(mktemp -d /tmp/test-all.XXXXXX)
lane2=""
cleanup() {
	# Lane 2 runs in its own process group (set -m below): stop all of it.
	[ -z "$lane2" ] || kill -- -"$lane2" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# lane_two: the packages; the window walk as soon as the wizard's .tar.xz
# is built (package.sh makes it first), beside the rest of the packages
# and then the packaging tests (the walk mostly waits on the wizard: 120
# CPU-seconds in its 230 s alone, where the Windows build is one C
# compiler process for minutes).
lane_two() {
	local tarxz="" rc=0 wrc=0 prc=0 walk prep pkg i
	# The packaging tests' caches fill while the packages build (on a fresh
	# machine: the wine prefix and the clean root, a minute or more).
	build/test-package.sh --prepare >"$work/prepare.log" 2>&1 &
	prep=$!
	DIST=$work/dist build/package.sh >"$work/package.log" 2>&1 &
	pkg=$!
	# Bounded: the packages' build ends either way (its own steps are).
	for ((i = 0; i < 3600; i++)); do
		for f in "$work"/dist/tunduk-onboard_*_linux_amd64.tar.xz; do [ -f "$f" ] && tarxz=$f; done
		[ -z "$tarxz" ] && kill -0 "$pkg" 2>/dev/null || break
		sleep 1
	done
	[ -z "$tarxz" ] || echo "test-all: the wizard's .tar.xz built ($(elapsed))"
	# Each language once, ru and ky (the longest texts) on the small
	# screen: half the six of `make test-window`. Without the .tar.xz,
	# on make's build.
	# ru and ky with Fyne's animations off (its own setting, as a user
	# may have it): half the walk's CPU, the same time; en as installed.
	WALK_ONLY=${WALK_ONLY:-en-1280x800 ru-1024x768 ky-1024x768} WALK_NO_ANIMATIONS=${WALK_NO_ANIMATIONS:-ru-1024x768 ky-1024x768} \
		WALK_TARXZ=$tarxz build/test-window.sh >"$work/window.log" 2>&1 &
	walk=$!
	wait "$pkg" || prc=$?
	if [ "$prc" -eq 0 ]; then
		echo "test-all: release packages built ($(elapsed))"
	else
		tail -40 "$work/package.log"
		echo "FAIL release packages: build/package.sh failed (log above)"
		rc=1
	fi
	wait "$prep" || cat "$work/prepare.log" # the tests make what is still missing
	if [ "$prc" -eq 0 ]; then
		KEEP_DIST=$work/dist build/test-package.sh || rc=1
	fi
	echo "test-all: packaging tests done ($(elapsed))"
	wait "$walk" || wrc=$?
	cat "$work/window.log"
	if [ "$wrc" -ne 0 ]; then
		echo "FAIL the real-window walk (build/test-window.sh, log above)"
		rc=1
	fi
	echo "test-all: window walk done ($(elapsed))"
	return "$rc"
}

set -m
lane_two >"$work/lane2.log" 2>&1 &
lane2=$!
set +m
# The image, built once and cached (build/targethost/image.go); its test
# waits for a build already under way. Its failure shows again in the
# suite's host tests.
go test -tags migrated_fynedo,no_emoji,ci -count=1 -run '^TestImage$' ./build/targethost/ >"$work/image.log" 2>&1 &
image=$!

rc=0
first() { [ "$rc" -ne 0 ] || rc=$1; }
make --no-print-directory lint || first $?
RACE=no build/test.sh || first 1
echo "test-all: Go suite done ($(elapsed))"
RACE=only build/test.sh || first 1
echo "test-all: race run done ($(elapsed))"
make --no-print-directory fuzz || { echo "FAIL the fuzz run (make fuzz, log above)"; first 1; }
echo "test-all: fuzz done ($(elapsed))"
wait "$image" || { cat "$work/image.log"; echo "FAIL the test hosts' image (log above)"; first 1; }

l2=0
wait "$lane2" || l2=$?
lane2=""
cat "$work/lane2.log"
[ "$l2" -eq 0 ] || first 1
echo "test-all: done ($(elapsed)), exit $rc"
exit "$rc"
