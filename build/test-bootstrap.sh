#!/usr/bin/env bash
# build/test-bootstrap.sh - the Go bootstrap on a machine with no Go: a
# clean Debian bookworm root (mmdebstrap minbase), the repository's tracked
# files copied in, and there, as root:
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
# Env: ROOT_TAR=file.tar keeps the clean root there and reuses it next time
# (for quick reruns while developing).
# pass and fail always succeed: "check && pass || fail" is an if-else here.
# shellcheck disable=SC2015
set -euo pipefail
cd "$(dirname "$0")/.."
WANT=$(build/go.sh --want)
ARCH=$(dpkg --print-architecture)

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
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

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
[ ! -e "$R/usr/bin/go" ] && [ ! -e "$R/usr/local/go" ] || { echo "the clean root has a go already"; exit 1; }

mkdir -p "$R/src"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$R/src"
for m in proc dev; do
	mkdir -p "$R/$m"
	case $m in proc) mount -t proc proc "$R/proc" ;; *) mount --bind "/$m" "$R/$m" ;; esac
	MOUNTS+=("$R/$m")
done
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
# Trusted once ca-certificates is installed there (its postinst adds it).
ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
if [ -s "$ca" ]; then
	mkdir -p "$R/usr/local/share/ca-certificates"
	cp "$ca" "$R/usr/local/share/ca-certificates/this-machine.crt"
fi

# The environment inside: a root login's, plus this machine's Go proxy
# settings and proxies (only those that are set).
ENV=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb)
for v in GOPROXY GOSUMDB GONOSUMDB GONOSUMCHECK GOPRIVATE GONOPROXY GOINSECURE; do
	val=${!v:-}
	if [ -z "$val" ] && command -v go >/dev/null 2>&1; then val=$(GOTOOLCHAIN=local go env "$v" 2>/dev/null || true); fi
	[ -z "$val" ] || ENV+=("$v=$val")
done
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
	[ -z "${!v:-}" ] || ENV+=("$v=${!v}")
done
# in_root [VAR=value...] -- COMMAND: bash -c COMMAND in /src inside the root.
in_root() {
	local extra=()
	while [ "$1" != -- ]; do extra+=("$1"); shift; done
	shift
	chroot "$R" env -i "${ENV[@]}" "${extra[@]}" bash -c "cd /src && $1"
}

# --- 1. cold ------------------------------------------------------------------
s=$(now)
if in_root -- 'build/deps.sh --go-only' >"$WORK/cold.log" 2>&1; then
	COLD=$(since "$s")
	pass "cold: build/deps.sh --go-only brought a go (${COLD}s)"
else
	COLD=$(since "$s")
	fail "cold: build/deps.sh --go-only (${COLD}s): $(tail -15 "$WORK/cold.log")"
fi
grep -q 'installing.*golang-go' "$WORK/cold.log" && grep -q "bringing go$WANT" "$WORK/cold.log" &&
	pass "cold: it installed Debian's golang-go, then fetched go$WANT ($(sed -n "s/.*go$WANT ready in \([0-9]*s\).*/\1/p" "$WORK/cold.log"))" ||
	fail "cold: log: $(cat "$WORK/cold.log")"
echo "cold done ($(elapsed))"

# --- 2. the Makefile's go ---------------------------------------------------
CACHEGO=/root/.cache/tunduk-onboard/go/go$WANT/bin/go
out=$(in_root -- 'make -s print-go' 2>&1 || true)
[ "$out" = "$CACHEGO"$'\n'"go version go$WANT linux/$ARCH" ] &&
	pass "make print-go: $CACHEGO, go$WANT" || fail "make print-go: $out"
out=$(in_root -- 'go version' 2>&1 || true)
echo "     (Debian's go on PATH, unused: $out)"

# --- 3. a working toolchain, a removable cache ---------------------------------
out=$(in_root -- "$CACHEGO tool compile -V" 2>&1 || true)
[ "$out" = "compile version go$WANT" ] && pass "its compiler runs: $out" || fail "go tool compile -V: $out"
out=$(in_root -- 'find /root/.cache/tunduk-onboard -type d ! -perm -u+w | head -3' 2>&1)
[ -z "$out" ] && pass "the private module cache's directories are writable (rm -rf removes it)" ||
	fail "read-only directories in the cache: $out"

# --- 4. warm ------------------------------------------------------------------
s=$(now)
if in_root GOPROXY=off -- 'build/deps.sh --go-only' >"$WORK/warm.log" 2>&1; then
	WARM=$(since "$s")
	pass "warm: build/deps.sh --go-only with GOPROXY=off (${WARM}s)"
else
	WARM=$(since "$s")
	fail "warm: build/deps.sh --go-only with GOPROXY=off: $(tail -5 "$WORK/warm.log")"
fi
grep -q 'bringing\|installing' "$WORK/warm.log" && fail "warm: it installed or fetched again: $(cat "$WORK/warm.log")" ||
	pass "warm: nothing installed or fetched ($(tr '\n' ' ' <"$WORK/warm.log"))"
s=$(now)
out=$(in_root GOPROXY=off -- 'make -s print-go' 2>&1 || true)
t=$(since "$s")
[ "$out" = "$CACHEGO"$'\n'"go version go$WANT linux/$ARCH" ] &&
	pass "warm: make print-go with GOPROXY=off (${t}s)" || fail "warm: make print-go: $out"

# --- 5. removed, then brought back by make alone -------------------------------
if in_root -- 'rm -rf /root/.cache/tunduk-onboard' >"$WORK/rm.log" 2>&1; then
	pass "rm -rf removed the cache"
else
	fail "rm -rf of the cache: $(tail -3 "$WORK/rm.log")"
fi
s=$(now)
out=$(in_root -- 'make -s print-go' 2>"$WORK/again.log" || true)
t=$(since "$s")
[ "$out" = "$CACHEGO"$'\n'"go version go$WANT linux/$ARCH" ] && grep -q "bringing go$WANT" "$WORK/again.log" &&
	! grep -q 'installing' "$WORK/again.log" &&
	pass "make print-go alone brought go$WANT back, with Debian's go, no apt (${t}s)" ||
	fail "make print-go after rm -rf: $out $(tail -5 "$WORK/again.log")"

echo "bootstrap: cold ${COLD}s, warm ${WARM}s (build/deps.sh --go-only in the chroot)"
echo "test-bootstrap: $fails failed ($(elapsed))"
[ "$fails" -eq 0 ]
