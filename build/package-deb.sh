#!/usr/bin/env bash
# build/package-deb.sh GUI.tar.xz CLI VERSION OUT.deb
#
# The Debian package of the wizard, made from the `fyne package` tarball
# (so both carry the same binary) plus the CLI: /usr/bin, a .desktop entry,
# the icon in hicolor. Depends is what dpkg-shlibdeps finds the binaries
# link against, so apt pulls in libGL/X11 on a minimal system.
set -euo pipefail
[ $# -eq 4 ] || { sed -n '2p' "$0" >&2; exit 2; }
TARBALL=$1 CLI=$2 VERSION=$3 OUT=$4
ROOT=$(cd "$(dirname "$0")/.." && pwd)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/tar"
tar -xJf "$TARBALL" -C "$WORK/tar"
gui=$(find "$WORK/tar" -type f -path '*/bin/*' -name 'tunduk-onboard' | head -n1)
[ -n "$gui" ] || { echo "package-deb.sh: no bin/tunduk-onboard in $TARBALL" >&2; exit 1; }

P=$WORK/pkg
install -d "$P/DEBIAN" "$P/usr/bin" "$P/usr/share/applications" \
	"$P/usr/share/icons/hicolor/512x512/apps" "$P/usr/share/doc/tunduk-onboard"
install -m 0755 "$gui" "$P/usr/bin/tunduk-onboard"
install -m 0755 "$CLI" "$P/usr/bin/tunduk-onboard-cli"
install -m 0644 "$ROOT/assets/icon.png" "$P/usr/share/icons/hicolor/512x512/apps/kg.tunduk.onboard.png"
install -m 0644 "$ROOT/LICENSE" "$P/usr/share/doc/tunduk-onboard/copyright"
# Our own entry rather than fyne's: names in the three languages, and the
# icon by the app ID under hicolor (fyne's goes under /usr/local).
cat >"$P/usr/share/applications/kg.tunduk.onboard.desktop" <<'EOF'
[Desktop Entry]
Type=Application
Name=Tunduk Onboard
Name[ru]=Tunduk Onboard: подключение к СМЭВ «Түндүк»
Name[ky]=Tunduk Onboard: «Түндүк» ВЭӨТ кошулуу
Comment=Check a server, prepare the Rutoken and make the CSRs for joining Tunduk
Comment[ru]=Проверка сервера безопасности, Рутокен и запросы на сертификат для СМЭВ «Түндүк»
Comment[ky]=Коопсуздук серверин текшерүү, Рутокен жана CSR «Түндүк» ВЭӨТ үчүн
Exec=tunduk-onboard
Icon=kg.tunduk.onboard
Terminal=false
Categories=Utility;System;
EOF

# dpkg-shlibdeps wants a debian/control to read; a minimal one will do.
mkdir -p "$WORK/src/debian"
printf 'Source: tunduk-onboard\n\nPackage: tunduk-onboard\nArchitecture: amd64\n' >"$WORK/src/debian/control"
deps=$(cd "$WORK/src" && dpkg-shlibdeps -O "$P/usr/bin/tunduk-onboard" "$P/usr/bin/tunduk-onboard-cli" |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$deps" ] || { echo "package-deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# dpkg-shlibdeps sees only what is linked. GLFW loads X11 (and Wayland)
# with dlopen, and libgl1 is only the GL dispatcher: without these a
# minimal system cannot open the window.
deps="$deps, libx11-6, libx11-xcb1, libxcursor1, libxext6, libxi6, libxinerama1, libxrandr2, libxrender1"
deps="$deps, libxxf86vm1, libxkbcommon0, libglx-mesa0 | libglx-vendor, libgl1-mesa-dri"
# Only the Wayland session needs these.
recommends="libwayland-cursor0, libwayland-egl1, libegl1, libdecor-0-0"

size=$(du -sk --exclude=DEBIAN "$P" | cut -f1)
cat >"$P/DEBIAN/control" <<EOF
Package: tunduk-onboard
Version: $VERSION
Architecture: amd64
Maintainer: Tunduk Onboard contributors <tunduk-onboard@users.noreply.github.com>
Installed-Size: $size
Depends: $deps
Recommends: $recommends
Section: utils
Priority: optional
Homepage: https://github.com/tunduk-onboard/tunduk-onboard
Description: join Tunduk (X-Road): server check, Rutoken, CSRs
 A desktop wizard (tunduk-onboard) and a command-line tool
 (tunduk-onboard-cli) that check a server against the operator's minimum
 requirements for the security server, prepare the Rutoken hardware token
 and make the certificate signing requests for the operator.
EOF
fakeroot dpkg-deb --build -Zxz "$P" "$OUT" >/dev/null
echo "package-deb.sh: $OUT (Depends: $deps)"
