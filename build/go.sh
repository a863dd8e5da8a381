#!/usr/bin/env bash
# build/go.sh - print the path of a `go` that go.mod accepts, bringing one
# when there is none (the Makefile and the build scripts ask it).
#
# Usage: build/go.sh [--dir] [--find] [--dry-run] [--want]
#   (none)     print the go binary's path, e.g. /usr/local/go/bin/go
#   --dir      print its directory instead (to put first on PATH: gofmt is there too)
#   --find     only look, never install: exit 1 when there is none
#   --dry-run  say what a bootstrap would do, change nothing
#   --want     print the version a bootstrap brings (e.g. 1.26.8) and stop
#
# Suitable: a go whose version is at least go.mod's `go` line. Looked for,
# in order: $GO when set (taken as it is), `go` on PATH, /usr/local/go/bin/go,
# then one this script brought before, under
# ${TUNDUK_GO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tunduk-onboard/go}.
#
# None: install Debian's golang-go (apt, through sudo when not root) unless
# some older go is there already, and with it download the exact toolchain
# (go.mod's `toolchain` line, else its `go` line) from the Go module proxy
# as the module golang.org/toolchain@v0.0.1-goX.Y.Z.linux-ARCH into a
# private module cache in the cache dir above (writable: `rm -rf` removes
# it), then link it as CACHE/goX.Y.Z. The proxy is the go command's own
# setting (GOPROXY, GOSUMDB from the environment or `go env -w`).
# linux amd64 and arm64 only (arm64 untried). Idempotent; when a go is found
# it costs one `go env` (well under a second). Messages go to stderr, the
# path to stdout.
set -euo pipefail

ROOT=${BASH_SOURCE[0]%/*}
[ "$ROOT" != "${BASH_SOURCE[0]}" ] || ROOT=.
ROOT=$ROOT/..
MODE=path FIND_ONLY=0 DRY=0 P_VER="" P_BIN=""
for arg in "$@"; do
	case "$arg" in
	--dir) MODE=dir ;;
	--find) FIND_ONLY=1 ;;
	--dry-run) DRY=1 ;;
	--want) MODE=want ;;
	-h | --help) sed -n '2,26p' "$0"; exit 0 ;;
	*) echo "go.sh: unknown argument: $arg" >&2; exit 2 ;;
	esac
done
say() { echo "go.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# go.mod's wishes: at least WANT_MIN; the toolchain to fetch is WANT.
# (Read without a subprocess: this runs before every build step.)
WANT_MIN="" WANT_TC=""
while read -r key val _; do
	case $key in
	go) [ -n "$WANT_MIN" ] || WANT_MIN=$val ;;
	toolchain) [ -n "$WANT_TC" ] || WANT_TC=${val#go} ;;
	esac
done <"$ROOT/go.mod"
[ -n "$WANT_MIN" ] || die "no go line in $ROOT/go.mod"

# ver_ge A B: version A >= version B (1.26.8 >= 1.26; rc/beta suffixes
# count as their release).
ver_ge() {
	local IFS=. i x y
	local -a a b
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	for i in 0 1 2; do
		x=${a[$i]:-0} y=${b[$i]:-0}
		x=${x%%[!0-9]*} y=${y%%[!0-9]*}
		x=$((10#${x:-0})) y=$((10#${y:-0}))
		[ "$x" -gt "$y" ] && return 0
		[ "$x" -lt "$y" ] && return 1
	done
	return 0
}

WANT=$WANT_MIN
if [ -n "$WANT_TC" ] && ver_ge "$WANT_TC" "$WANT_MIN"; then WANT=$WANT_TC; fi
# Since Go 1.21 the first release of 1.N is 1.N.0: "go 1.26" means that.
case $WANT in *.*.* | *[!0-9.]*) ;; 1.*) [ "${WANT#1.}" -lt 21 ] || WANT=$WANT.0 ;; esac
[ "$MODE" != want ] || { echo "$WANT"; exit 0; }

CACHE=${TUNDUK_GO_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/tunduk-onboard/go}

# probe GO: sets P_VER (without "go") and P_BIN (GOROOT/bin/go) when it runs.
# GOTOOLCHAIN=local and / as the directory: a go that would switch to
# another toolchain for this go.mod must answer for itself, not download.
probe() {
	local out
	P_VER="" P_BIN=""
	[ -x "$1" ] || return 1
	out=$(cd / && GOTOOLCHAIN=local "$1" env GOVERSION GOROOT 2>/dev/null) || return 1
	P_VER=${out%%$'\n'*} P_BIN=${out#*$'\n'}/bin/go
	P_VER=${P_VER#go}
	[ -x "$P_BIN" ] || P_BIN=$1
	case $P_VER in [0-9]*) return 0 ;; *) P_VER="" && return 1 ;; esac
}

# answer GO: print it (or its directory) and stop. A go whose directory
# has no gofmt (a lone symlink) is answered by its GOROOT's bin/go.
answer() {
	local g=$1
	[ -x "${g%/*}/gofmt" ] || [ -z "$P_BIN" ] || g=$P_BIN
	case $MODE in
	dir) echo "${g%/*}" ;;
	*) echo "$g" ;;
	esac
	exit 0
}

# An explicit GO (make GO=..., or the environment) wins, as it is.
if [ -n "${GO:-}" ]; then
	g=$(command -v "$GO") || die "GO=$GO: not found"
	if probe "$g" && ! ver_ge "$P_VER" "$WANT_MIN"; then
		say "warning: GO=$GO is go$P_VER, go.mod wants go$WANT_MIN or newer"
	fi
	answer "$g"
fi

OLD=""  # a go too old to build with, still good enough to download one
for g in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go "$CACHE/go$WANT/bin/go"; do
	[ -n "$g" ] || continue
	probe "$g" || continue
	ver_ge "$P_VER" "$WANT_MIN" && answer "$g"
	[ -n "$OLD" ] || OLD=$g
done

[ "$FIND_ONLY" -eq 0 ] || exit 1

# --- bootstrap --------------------------------------------------------------
case $(uname -s)/$(uname -m) in
Linux/x86_64 | Linux/amd64) ARCH=amd64 ;;
Linux/aarch64 | Linux/arm64) ARCH=arm64 ;;
*) die "no go$WANT_MIN or newer found, and bringing one is done for linux amd64/arm64 only ($(uname -s)/$(uname -m)): install Go $WANT yourself and point GO at its bin/go" ;;
esac
MOD=golang.org/toolchain@v0.0.1-go$WANT.linux-$ARCH
say "no go$WANT_MIN or newer found; bringing go$WANT from the Go module proxy ($MOD) into $CACHE"

if [ -z "$OLD" ] || [ ! -s /etc/ssl/certs/ca-certificates.crt ]; then
	pkgs=()
	[ -n "$OLD" ] || pkgs+=(golang-go)
	[ -s /etc/ssl/certs/ca-certificates.crt ] || pkgs+=(ca-certificates)
	say "installing Debian's ${pkgs[*]} (the download needs them)"
	if [ "$DRY" -eq 0 ]; then
		SUDO=()
		if [ "$(id -u)" -ne 0 ]; then
			command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install ${pkgs[*]} first"
			SUDO=(sudo)
		fi
		"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${pkgs[@]}" >&2
	fi
	[ -n "$OLD" ] || OLD=/usr/bin/go
fi
if [ "$DRY" -eq 1 ]; then
	say "would run: $OLD mod download -json $MOD (GOPATH=$CACHE/gopath), link $CACHE/go$WANT"
	exit 1
fi
[ -x "$OLD" ] || die "no go to download with ($OLD)"

SECONDS=0
mkdir -p "$CACHE"
tmp=$(mktemp -d "$CACHE/.download.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
# Outside any module (an empty directory), on the proxy the go command is
# set to; its own module cache, writable so it can be removed; no switch.
if ! json=$(cd "$tmp" && env GOTOOLCHAIN=local GO111MODULE=on GOFLAGS=-modcacherw \
	GOPATH="$CACHE/gopath" GOMODCACHE="$CACHE/gopath/pkg/mod" GOCACHE="$tmp/gocache" \
	"$OLD" mod download -json "$MOD"); then
	die "download of $MOD failed: $json"
fi
dir=$(sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p' <<<"$json")
{ [ -n "$dir" ] && [ -f "$dir/bin/go" ]; } || die "download of $MOD gave no bin/go: $json"
# Module zips keep no mode bits: the commands need their exec bit back
# (what the go command does for a toolchain it switches to).
find "$dir/bin" "$dir/pkg/tool" -type f -exec chmod a+x {} +
find "$dir" -type f -name 'go_*_exec' -exec chmod a+x {} +
{ probe "$dir/bin/go" && [ "$P_VER" = "$WANT" ]; } || die "$dir/bin/go does not run as go$WANT (says '${P_VER:-nothing}')"
# The stable name, replaced in one rename.
ln -sfn "$dir" "$tmp/link"
mv -fT "$tmp/link" "$CACHE/go$WANT"
probe "$CACHE/go$WANT/bin/go" || die "$CACHE/go$WANT/bin/go does not run"
say "go$WANT ready in ${SECONDS}s: $CACHE/go$WANT/bin/go"
answer "$CACHE/go$WANT/bin/go"
