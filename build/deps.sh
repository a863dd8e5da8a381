#!/usr/bin/env bash
# build/deps.sh - install the Debian packages that the build and the tests need.
#
# Usage: build/deps.sh [--bench] [--dry-run]
#   --bench    also install what only `make bench` needs
#   --dry-run  print what would be installed, change nothing
#
# Idempotent and fast: one dpkg-query for all packages, `apt-get update` only
# when something is missing, en_US.UTF-8 generated only when absent.
set -euo pipefail

PKGS=(
  # Fyne cgo build
  gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
  libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev
  # real parts for tests
  openssh-server openssh-client iproute2 xvfb xauth imagemagick xdotool dbus dbus-x11
  gnome-keyring ansible procps locales softhsm2 opensc libengine-pkcs11-openssl openssl psmisc
  sudo  # installer runner tests: a user with password sudo
  # installer end-to-end target: a Debian root booted under systemd-nspawn
  mmdebstrap systemd-container zstd socat
  # packaging: Windows cross-build, wine tests, .deb/.tar.xz, signing
  mingw-w64 wine wine64 xz-utils dpkg-dev fakeroot osslsigncode
  # general build tooling
  make git ca-certificates
)
# Only the benchmark (build/bench.sh) needs these; most are already above,
# listed again so `--bench` stays correct if the list above shrinks.
# util-linux: unshare; iproute2: ip netns; ansible: the peer; openssh-*: hosts.
BENCH_PKGS=(util-linux iproute2 openssh-server openssh-client ansible procps)

DRY=0
for arg in "$@"; do
  case "$arg" in
    --bench) PKGS+=("${BENCH_PKGS[@]}") ;;
    --dry-run) DRY=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "deps.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

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
if ! locale -a 2>/dev/null | grep -qix 'en_US\.utf-\?8'; then
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
exit 0
