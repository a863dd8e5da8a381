#!/usr/bin/env bash
# build/test-bootstrap.sh - the Go bootstrap on a machine with no Go: a
# clean Debian bookworm root (mmdebstrap minbase), the repository's tracked
# files copied in, and there, as root:
#   0. there is no go in the root yet (`command -v go` fails there);
#   1. cold: `build/deps.sh --go-only` brings Debian's golang-go, then the
#      go.mod toolchain from the Go module proxy (build/go.sh);
#   2. `make -s print-go` answers that go, and it is go.mod's version;
#   3. its compiler runs (exec bits restored), and the private module cache
#      can be deleted (writable);
#   4. warm: the same again with GOPROXY=off is quick and downloads nothing;
#   5. the cache removed with rm -rf, `make -s print-go` alone brings the
#      toolchain back (with the Debian go now there: the download only).
# Prints the cold and warm times. Needs root (chroot); skipped otherwise.
# This machine's Go proxy settings (`go env`, or the environment), any
# http(s)_proxy, and its CA certificates (SSL_CERT_FILE, else the system
# bundle: a proxy on the way may sign with a CA of its own) are passed in.
#
# Usage: build/test-bootstrap.sh [--in-root DIR]
#   (none)         in a clean root of its own (`make test-bootstrap`)
#   --in-root DIR  in the root DIR instead, which has proc and dev mounted
#                  and no go (the checks install into it)
# Sourced (`. build/test-bootstrap.sh`), it only defines the functions
# below: build/test-package.sh runs the same checks as its step 6, in the
# root of its step 5, with its own pass, fail and mounts.
# Env: ROOT_TAR=file.tar keeps the clean root there and reuses it next time
# (for quick reruns while developing).
# pass and fail always succeed: "check && pass || fail" is an if-else here.
# shellcheck disable=SC2015
BOOT_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

boot_now() { date +%s.%N; }
boot_since() { awk -v a="$1" -v b="$(boot_now)" 'BEGIN { printf "%.1f", b - a }'; }

# boot_prepare R: the repository's tracked files into R/src; this
# machine's resolv.conf and CA certificates into R; BOOT_ENV, the
# environment inside: a root login's, plus this machine's Go proxy
# settings and proxies (only those that are set).
boot_prepare() {
	local r=$1 ca v val
	mkdir -p "$r/src"
	(cd "$BOOT_REPO" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$r/src"
	cp /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
	ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
	if [ -s "$ca" ]; then
		mkdir -p "$r/usr/local/share/ca-certificates"
		cp "$ca" "$r/usr/local/share/ca-certificates/this-machine.crt"
		# Trusted when ca-certificates is installed (its postinst adds
		# it); a root that has it already (packages installed before)
		# adds it now.
		if [ -x "$r/usr/sbin/update-ca-certificates" ]; then
			chroot "$r" update-ca-certificates >/dev/null 2>&1 || true
		fi
	fi
	BOOT_ENV=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb)
	for v in GOPROXY GOSUMDB GONOSUMDB GONOSUMCHECK GOPRIVATE GONOPROXY GOINSECURE; do
		val=${!v:-}
		if [ -z "$val" ] && command -v go >/dev/null 2>&1; then val=$(GOTOOLCHAIN=local go env "$v" 2>/dev/null || true); fi
		[ -z "$val" ] || BOOT_ENV+=("$v=$val")
	done
	for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
		[ -z "${!v:-}" ] || BOOT_ENV+=("$v=${!v}")
	done
}

# boot_in_root R [VAR=value...] -- COMMAND: bash -c COMMAND in /src inside
# the root R, in BOOT_ENV.
boot_in_root() {
	local r=$1 extra=()
	shift
	while [ "$1" != -- ]; do extra+=("$1"); shift; done
	shift
	chroot "$r" env -i "${BOOT_ENV[@]}" "${extra[@]}" bash -c "cd /src && $1"
}

# boot_checks R LOGDIR [--no-rerun]: checks 0-5 above in the root R
# (boot_prepare'd, proc and dev mounted), logs into LOGDIR; --no-rerun
# leaves out 5. Reports with the caller's pass and fail (a failure counts
# in its fails), progress with its elapsed; sets BOOT_COLD and BOOT_WARM
# (seconds). Every command is checked: safe under set -e.
boot_checks() {
	local r=$1 log=$2 rerun=1 want arch cachego out s t
	[ "${3:-}" != --no-rerun ] || rerun=0
	want=$("$BOOT_REPO/build/go.sh" --want)
	arch=$(dpkg --print-architecture)
	BOOT_COLD=- BOOT_WARM=-

	# --- 0. no go yet ---------------------------------------------------------
	out=$(boot_in_root "$r" -- 'command -v go; ls -d /usr/local/go /root/.cache/tunduk-onboard 2>/dev/null; echo end' 2>&1 || true)
	if [ "$out" != end ]; then
		fail "the root has a go already (or no shell): nothing to bring: $out"
		return 0
	fi
	pass "no go in the root: command -v go fails there, no /usr/local/go, no cache"

	# --- 1. cold ----------------------------------------------------------------
	s=$(boot_now)
	if boot_in_root "$r" -- 'build/deps.sh --go-only' >"$log/cold.log" 2>&1; then
		BOOT_COLD=$(boot_since "$s")
		pass "cold: build/deps.sh --go-only brought a go (${BOOT_COLD}s)"
	else
		BOOT_COLD=$(boot_since "$s")
		fail "cold: build/deps.sh --go-only (${BOOT_COLD}s): $(tail -15 "$log/cold.log")"
	fi
	grep -q 'installing.*golang-go' "$log/cold.log" && grep -q "bringing go$want" "$log/cold.log" &&
		pass "cold: it installed Debian's golang-go, then fetched go$want ($(sed -n "s/.*go$want ready in \([0-9]*s\).*/\1/p" "$log/cold.log"))" ||
		fail "cold: log: $(cat "$log/cold.log")"
	echo "cold done ($(elapsed))"

	# --- 2. the Makefile's go -------------------------------------------------
	cachego=/root/.cache/tunduk-onboard/go/go$want/bin/go
	out=$(boot_in_root "$r" -- 'make -s print-go' 2>&1 || true)
	[ "$out" = "$cachego"$'\n'"go version go$want linux/$arch" ] &&
		pass "make print-go: $cachego, go$want" || fail "make print-go: $out"
	out=$(boot_in_root "$r" -- 'go version' 2>&1 || true)
	echo "     (Debian's go on PATH, unused: $out)"

	# --- 3. a working toolchain, a removable cache -------------------------------
	out=$(boot_in_root "$r" -- "$cachego tool compile -V" 2>&1 || true)
	[ "$out" = "compile version go$want" ] && pass "its compiler runs: $out" || fail "go tool compile -V: $out"
	out=$(boot_in_root "$r" -- 'find /root/.cache/tunduk-onboard -type d ! -perm -u+w | head -3' 2>&1 || echo "find failed")
	[ -z "$out" ] && pass "the private module cache's directories are writable (rm -rf removes it)" ||
		fail "read-only directories in the cache: $out"

	# --- 4. warm ----------------------------------------------------------------
	s=$(boot_now)
	if boot_in_root "$r" GOPROXY=off -- 'build/deps.sh --go-only' >"$log/warm.log" 2>&1; then
		BOOT_WARM=$(boot_since "$s")
		pass "warm: build/deps.sh --go-only with GOPROXY=off (${BOOT_WARM}s)"
	else
		BOOT_WARM=$(boot_since "$s")
		fail "warm: build/deps.sh --go-only with GOPROXY=off: $(tail -5 "$log/warm.log")"
	fi
	grep -q 'bringing\|installing' "$log/warm.log" && fail "warm: it installed or fetched again: $(cat "$log/warm.log")" ||
		pass "warm: nothing installed or fetched ($(tr '\n' ' ' <"$log/warm.log"))"
	s=$(boot_now)
	out=$(boot_in_root "$r" GOPROXY=off -- 'make -s print-go' 2>&1 || true)
	t=$(boot_since "$s")
	[ "$out" = "$cachego"$'\n'"go version go$want linux/$arch" ] &&
		pass "warm: make print-go with GOPROXY=off (${t}s)" || fail "warm: make print-go: $out"

	[ "$rerun" -eq 1 ] || return 0
	# --- 5. removed, then brought back by make alone -----------------------------
	if boot_in_root "$r" -- 'rm -rf /root/.cache/tunduk-onboard' >"$log/rm.log" 2>&1; then
		pass "rm -rf removed the cache"
	else
		fail "rm -rf of the cache: $(tail -3 "$log/rm.log")"
	fi
	s=$(boot_now)
	out=$(boot_in_root "$r" -- 'make -s print-go' 2>"$log/again.log" || true)
	t=$(boot_since "$s")
	[ "$out" = "$cachego"$'\n'"go version go$want linux/$arch" ] && grep -q "bringing go$want" "$log/again.log" &&
		! grep -q 'installing' "$log/again.log" &&
		pass "make print-go alone brought go$want back, with Debian's go, no apt (${t}s)" ||
		fail "make print-go after rm -rf: $out $(tail -5 "$log/again.log")"
}

# Sourced: only the functions above.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi

set -euo pipefail
cd "$BOOT_REPO"
IN_ROOT=""
case ${1:-} in
"") ;;
--in-root) IN_ROOT=${2:?test-bootstrap: --in-root needs a directory} ;;
-h | --help) sed -n '2,27p' "$0"; exit 0 ;;
*) echo "test-bootstrap: unknown argument: $1" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
	echo "test-bootstrap: skipped: needs root (mmdebstrap, chroot)"
	exit 0
fi

WORK=$(mktemp -d /tmp/test-bootstrap.XXXXXX)
MOUNTS=()
cleanup() {
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" || true; done
	# Never delete through a bind mount of the host's /dev (ours, or one
	# mmdebstrap left when it was stopped).
	if findmnt -rn -o TARGET | grep -q "^$WORK/"; then
		echo "still mounted under $WORK; left it" >&2
		return
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0))s"; }

if [ -n "$IN_ROOT" ]; then
	R=$(cd "$IN_ROOT" && pwd)
else
	R=$WORK/debian
	if [ -n "${ROOT_TAR:-}" ] && [ ! -s "$ROOT_TAR" ]; then
		mmdebstrap --variant=minbase --quiet bookworm "$ROOT_TAR" http://deb.debian.org/debian >"$WORK/mmdebstrap.log" 2>&1 ||
			{ tail -20 "$WORK/mmdebstrap.log"; rm -f "$ROOT_TAR"; exit 1; }
	fi
	if [ -n "${ROOT_TAR:-}" ]; then
		mkdir -p "$R" && tar -xf "$ROOT_TAR" -C "$R"
	else
		mmdebstrap --variant=minbase --quiet bookworm "$R" http://deb.debian.org/debian >"$WORK/mmdebstrap.log" 2>&1 ||
			{ tail -20 "$WORK/mmdebstrap.log"; exit 1; }
	fi
	echo "clean bookworm root ready ($(elapsed))"
	for m in proc dev; do
		mkdir -p "$R/$m"
		case $m in proc) mount -t proc proc "$R/proc" ;; *) mount --bind "/$m" "$R/$m" ;; esac
		MOUNTS+=("$R/$m")
	done
fi

boot_prepare "$R"
boot_checks "$R" "$WORK"

echo "bootstrap: cold ${BOOT_COLD}s, warm ${BOOT_WARM}s (build/deps.sh --go-only in the chroot)"
echo "test-bootstrap: $fails failed ($(elapsed))"
[ "$fails" -eq 0 ]
