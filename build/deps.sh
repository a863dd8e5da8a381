#!/usr/bin/env bash
# build/deps.sh - install the Debian packages that the build and the tests
# need, and the Go that go.mod asks for when there is none (build/go.sh:
# Debian's golang-go, then with it the exact toolchain from the Go module
# proxy, into ~/.cache/tunduk-onboard/go).
#
# Usage: build/deps.sh [--bench] [--go-only] [--dry-run]
#   --bench    also install what only `make bench` needs
#   --go-only  only Go and what bringing it needs (make, ca-certificates)
#   --dry-run  print what would be installed, change nothing
#
# Idempotent and fast: one dpkg-query for all packages, `apt-get update` only
# when something is missing, en_US.UTF-8 generated only when absent, the Go
# toolchain downloaded only when no suitable go is found.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

PKGS=(
  # Fyne cgo build
  gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
  libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev
  # real parts for tests
  openssh-server openssh-client iproute2 xvfb xauth imagemagick xdotool dbus dbus-x11
  x11-xkb-utils xkb-data  # the window walk: setxkbmap us,kg, so xdotool types Cyrillic
  gnome-keyring ansible procps locales softhsm2 opensc libengine-pkcs11-openssl openssl psmisc
  sudo  # installer runner tests: a user with password sudo
  time  # the hostile-input tests measure peak memory (/usr/bin/time -f %M)
  # installer end-to-end target: a Debian root booted under systemd-nspawn
  mmdebstrap systemd-container zstd socat
  # health metrics (issue 16): node_exporter's textfile collector reads
  # our .prom file; promtool (in prometheus) checks the exposition
  prometheus-node-exporter prometheus
  # backups (issue 17): the admin API fake makes each backup as X-Road's
  # _backup_xroad.sh does, with tar and gpg
  gnupg tar
  # fleets on Ansible (issue 18): the export is linted as operators would
  ansible-lint
  # packaging: Windows cross-build, wine tests, .deb/.tar.xz, signing
  mingw-w64 wine wine64 xz-utils dpkg-dev fakeroot osslsigncode
  # general build tooling
  make git ca-certificates
)
# Only the benchmark (build/bench.sh) needs these; most are already above,
# listed again so `--bench` stays correct if the list above shrinks.
# util-linux: unshare; iproute2: ip netns; ansible: the peer; openssh-*: hosts.
BENCH_PKGS=(util-linux iproute2 openssh-server openssh-client ansible procps)

# What build/go.sh needs to bring a Go, and the Makefile that asks it.
GO_PKGS=(make ca-certificates)

DRY=0 GO_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --bench) PKGS+=("${BENCH_PKGS[@]}") ;;
    --go-only) GO_ONLY=1 ;;
    --dry-run) DRY=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "deps.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

[ "$GO_ONLY" -eq 0 ] || PKGS=("${GO_PKGS[@]}")
# No go at all: Debian's comes in the same apt run, to download the
# toolchain with (build/go.sh, below).
if ! "$ROOT/build/go.sh" --find >/dev/null 2>&1 && ! command -v go >/dev/null 2>&1 &&
  [ ! -x /usr/local/go/bin/go ]; then
  PKGS+=(golang-go)
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "deps.sh: not root and no sudo" >&2; exit 1; }
  SUDO=(sudo)
fi

# Deduplicate while keeping order.
declare -A seen=()
uniq_pkgs=()
for p in "${PKGS[@]}"; do
  [ -n "${seen[$p]:-}" ] && continue
  seen[$p]=1
  uniq_pkgs+=("$p")
done

# One dpkg-query call for all packages. Unknown packages print nothing on
# stdout (an error on stderr), so anything not reported as installed is missing.
declare -A installed=()
while IFS=' ' read -r name status; do
  [ "$status" = "installed" ] && installed[${name%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${uniq_pkgs[@]}" 2>/dev/null || true)

missing=()
for p in "${uniq_pkgs[@]}"; do
  [ -n "${installed[$p]:-}" ] || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps.sh: installing: ${missing[*]}"
  if [ "$DRY" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends -o Dpkg::Options::=--force-confdef \
      -o Dpkg::Options::=--force-confold "${missing[@]}"
  fi
fi

# en_US.UTF-8 locale (tests and Fyne run with LANG=en_US.UTF-8).
if [ "$GO_ONLY" -eq 0 ] && ! locale -a 2>/dev/null | grep -qix 'en_US\.utf-\?8'; then
  echo "deps.sh: generating locale en_US.UTF-8"
  if [ "$DRY" -eq 0 ]; then
    if [ -f /etc/locale.gen ] && grep -q '^# *en_US.UTF-8 UTF-8' /etc/locale.gen; then
      "${SUDO[@]}" sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    elif ! grep -qs '^en_US.UTF-8 UTF-8' /etc/locale.gen; then
      echo 'en_US.UTF-8 UTF-8' | "${SUDO[@]}" tee -a /etc/locale.gen >/dev/null
    fi
    "${SUDO[@]}" locale-gen >/dev/null
  fi
fi

[ "${#missing[@]}" -eq 0 ] && echo "deps.sh: all packages present"

# Go: found, or brought (see build/go.sh).
if [ "$DRY" -eq 1 ]; then
  go=$("$ROOT/build/go.sh" --dry-run) || exit 0
else
  go=$("$ROOT/build/go.sh")
fi
echo "deps.sh: go: $go ($(cd / && GOTOOLCHAIN=local "$go" env GOVERSION))"
exit 0
