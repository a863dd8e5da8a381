#!/usr/bin/env bash
# build/test-package.sh - tests of what `make package` ships (make test runs
# it after build/test.sh; `make test-package` alone). Builds the packages
# into a temporary dist, then:
#   1. SHA256SUMS verify; every binary tells the FyneApp.toml version;
#      the .exe carries its version info, icon and manifest;
#   2. the Windows CLI runs `check --format json` under wine: valid JSON;
#   3. the Windows GUI starts under wine on Xvfb and draws its window;
#   4. Authenticode: a throwaway self-signed key signs the .exe, verify
#      passes, a changed byte fails it;
#   5. the .deb installs with apt-get in a clean Debian bookworm root
#      (mmdebstrap minbase, its tarball cached for a week) and the
#      installed wizard draws under Xvfb, its log under a HOME with a
#      space and Cyrillic letters;
#   6. the Go bootstrap in that same root, which has no Go (the .deb brings
#      none; checked first): build/test-bootstrap.sh's checks, cold
#      (Debian's golang-go, then go.mod's toolchain from the Go module
#      proxy), `make print-go`, its compiler, warm with GOPROXY=off; not its
#      rm -rf rerun (`make test-bootstrap` has it).
# Needs root for 5 and 6 (chroot); skipped with a note otherwise.
# `--prepare` only fills the caches steps 2 and 5 use, and stops.
# Env: KEEP_DIST=dir reuses packages already built there, SKIP_DEB=1 skips
# steps 5 and 6, SKIP_BOOTSTRAP=1 step 6 only (for quick reruns while
# developing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. build/goenv.sh
export LANG=en_US.UTF-8
VERSION=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
BUILD=$(sed -n 's/^Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
# boot_prepare, boot_checks: step 6.
# shellcheck source=build/test-bootstrap.sh disable=SC1091
. build/test-bootstrap.sh

WORK=$(mktemp -d /tmp/test-package.XXXXXX)
PIDS=()
MOUNTS=()
cleanup() {
	[ -z "${DEBROOT_PID:-}" ] || kill "$DEBROOT_PID" 2>/dev/null || true
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -z "${DEBROOT_PID:-}" ] || wait "$DEBROOT_PID" 2>/dev/null || true
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" || true; done
	[ -n "${WINEPREFIX:-}" ] && WINEPREFIX=$WINEPREFIX wineserver -k 2>/dev/null || true
	# Never delete through a bind mount of the host's /dev or X sockets
	# (ours, or one mmdebstrap left when it was stopped).
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

# A screenshot is "drawn" when it has many colours: an empty Xvfb root is
# one colour, a window with text and icons has hundreds.
drawn() { [ "$(identify -format '%k' "$1" 2>/dev/null || echo 0)" -gt 64 ]; }

# start_xvfb: a private X server on a display number it picks itself
# (-displayfd), so parallel runs never share one; sets XDISPLAY=:N.
start_xvfb() {
	local fifo=$WORK/xvfb.fd.$RANDOM
	mkfifo "$fifo"
	Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fifo" >>"$WORK/xvfb.log" 2>&1 &
	PIDS+=($!)
	local n=""
	read -r -t 20 n <"$fifo" || true
	rm -f "$fifo"
	[ -n "$n" ] || { echo "Xvfb did not start: $(tail -3 "$WORK/xvfb.log")" >&2; return 1; }
	XDISPLAY=:$n
}

# wait_drawn DISPLAY OUT SECONDS: screenshots until one shows a window.
wait_drawn() {
	local end=$(($(date +%s) + $3))
	while [ "$(date +%s)" -lt "$end" ]; do
		sleep 2
		DISPLAY=$1 import -window root "$2" 2>/dev/null || continue
		drawn "$2" && return 0
	done
	return 1
}

# clean_root DIR: a clean Debian bookworm minbase root in DIR. mmdebstrap
# takes 40-100 s here, so its tarball is kept under TEST_CACHE and
# unpacked (a few seconds); it is made again when a week old, as the
# booted test hosts' image is (build/targethost), so it never drifts far
# from the archive. Parallel runs share it under a lock.
TEST_CACHE=${TUNDUK_TEST_CACHE:-/var/tmp/tunduk-onboard-pkgtest}
ROOT_TARBALL=$TEST_CACHE/bookworm-minbase.tar
root_tarball() {
	mkdir -p "$TEST_CACHE"
	(
		flock 9
		if [ ! -s "$ROOT_TARBALL" ] || [ -n "$(find "$ROOT_TARBALL" -mmin +10080)" ]; then
			rm -f "$ROOT_TARBALL.tmp.tar"
			mmdebstrap --variant=minbase --quiet bookworm "$ROOT_TARBALL.tmp.tar" http://deb.debian.org/debian &&
				mv "$ROOT_TARBALL.tmp.tar" "$ROOT_TARBALL"
		fi
	) 9>"$TEST_CACHE/root.lock"
}
clean_root() {
	root_tarball && mkdir -p "$1" && tar -xpf "$ROOT_TARBALL" -C "$1"
}

# --prepare: only make what the caches lack (the root's tarball, the wine
# prefix's template) and stop; make test runs it while the packages build,
# so a fresh machine does not make them after.
if [ "${1:-}" = --prepare ]; then
	build/wine-prefix.sh "$WORK/wine" &
	wine=$!
	rc=0
	if [ -z "${SKIP_DEB:-}" ] && [ "$(id -u)" -eq 0 ]; then root_tarball || rc=1; fi
	wait "$wine" || rc=1
	exit "$rc"
fi

# The clean Debian root for steps 5 and 6 is made while steps 1-4 run.
DEBROOT_PID="" DEBROOT_READY=""
if [ -z "${SKIP_DEB:-}" ] && [ "$(id -u)" -eq 0 ]; then
	clean_root "$WORK/debian" >"$WORK/mmdebstrap.log" 2>&1 &
	DEBROOT_PID=$!
fi

# --- build ---------------------------------------------------------------
DIST=${KEEP_DIST:-$WORK/dist}
if [ -z "${KEEP_DIST:-}" ]; then
	echo "building packages into $DIST ..."
	DIST=$DIST build/package.sh >"$WORK/package.log" 2>&1 || { cat "$WORK/package.log"; exit 1; }
	echo "built ($(elapsed))"
fi
EXE=$DIST/tunduk-onboard_${VERSION}_windows_amd64.exe
CLIEXE=$DIST/tunduk-onboard-cli_${VERSION}_windows_amd64.exe
CLI=$DIST/tunduk-onboard-cli_${VERSION}_linux_amd64
TARXZ=$DIST/tunduk-onboard_${VERSION}_linux_amd64.tar.xz
DEB=$DIST/tunduk-onboard_${VERSION}-${BUILD}_amd64.deb

# --- 1. checksums, versions, Windows resources ----------------------------
# Every shipped file is listed, and every listed file matches.
listed=$(awk '{print $2}' "$DIST/SHA256SUMS" | sort | tr '\n' ' ')
shipped=$(cd "$DIST" && find . -maxdepth 1 -type f ! -name SHA256SUMS ! -name '.*' -printf '%f\n' | sort | tr '\n' ' ')
(cd "$DIST" && sha256sum --quiet -c SHA256SUMS) && [ "$listed" = "$shipped" ] && [ "$(wc -w <<<"$listed")" -eq 6 ] &&
	pass "SHA256SUMS lists and matches the 6 files" || fail "SHA256SUMS: listed [$listed] shipped [$shipped]"
for f in "$CLI" "$DIST/tunduk-onboard-cli_${VERSION}_linux_amd64_static"; do
	out=$("$f" --version 2>&1 || true)
	[ "$out" = "tunduk-onboard-cli $VERSION" ] && pass "$(basename "$f") --version" || fail "$(basename "$f") --version: $out"
done
mkdir -p "$WORK/tar" && tar -xJf "$TARXZ" -C "$WORK/tar"
gui=$(find "$WORK/tar" -type f -name tunduk-onboard -path '*/bin/*')
out=$("$gui" --version 2>&1 || true)
[ "$out" = "tunduk-onboard $VERSION" ] && pass "tar.xz GUI --version" || fail "tar.xz GUI --version: $out"
[ -n "$(find "$WORK/tar" -name '*.desktop')" ] && pass "tar.xz has a .desktop entry" || fail "tar.xz .desktop"
[ "$(dpkg-deb -f "$DEB" Version)" = "$VERSION-$BUILD" ] && pass ".deb version $VERSION-$BUILD" || fail ".deb version"
dpkg-deb -f "$DEB" Depends | grep -q 'libgl1' && pass ".deb declares libGL" || fail ".deb Depends: $(dpkg-deb -f "$DEB" Depends)"
dpkg-deb -c "$DEB" >"$WORK/deb.list"
for p in ./usr/bin/tunduk-onboard ./usr/bin/tunduk-onboard-cli ./usr/share/applications/kg.tunduk.onboard.desktop \
	./usr/share/icons/hicolor/512x512/apps/kg.tunduk.onboard.png; do
	grep -q " $p\$" "$WORK/deb.list" && pass ".deb has $p" || fail ".deb lacks $p"
done
# Version info is UTF-16 in the .rsrc section; the manifest is plain XML.
# (Outputs go to files first: grep -q closing a pipe early would fail it.)
strings -el "$EXE" >"$WORK/exe.strings"
grep -qx "$VERSION.$BUILD" "$WORK/exe.strings" && pass ".exe version info $VERSION.$BUILD" || fail ".exe version info"
grep -qx "Tunduk Onboard" "$WORK/exe.strings" && pass ".exe product name" || fail ".exe product name"
grep -q '<activeCodePage [^>]*>UTF-8<' "$EXE" && pass ".exe has our manifest (UTF-8 code page)" || fail ".exe manifest"
strings -el "$CLIEXE" >"$WORK/cli.strings"
grep -qx "$VERSION.$BUILD" "$WORK/cli.strings" && grep -q '<activeCodePage [^>]*>UTF-8<' "$CLIEXE" &&
	pass "CLI .exe has version info and the manifest" || fail "CLI .exe resources"
x86_64-w64-mingw32-objdump -x "$EXE" >"$WORK/exe.objdump"
grep -q 'Resource Directory \[.rsrc\]' "$WORK/exe.objdump" && pass ".exe has a resource table (icon)" ||
	fail ".exe has no resource table"
grep -qi 'DLL Name: libssp\|DLL Name: libgcc\|DLL Name: libwinpthread' "$WORK/exe.objdump" &&
	fail ".exe needs a mingw DLL beside it" || pass ".exe is one file (no mingw DLLs)"

# --- 2./3. wine ----------------------------------------------------------
export WINEPREFIX=$WORK/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
build/wine-prefix.sh "$WINEPREFIX"
echo "wine prefix ready ($(elapsed))"
set +e
wine "$CLIEXE" check --format json >"$WORK/check.json" 2>"$WORK/check.err"
rc=$?
set -e
if [ "$rc" -le 1 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"].startswith("tunduk-onboard.readiness/"), d.get("schema"); assert d["results"], "no results"' "$WORK/check.json"; then
	pass "wine: CLI check --format json prints valid JSON (exit $rc)"
else
	fail "wine: CLI check (exit $rc): $(head -c 400 "$WORK/check.json") $(tail -5 "$WORK/check.err")"
fi
out=$(wine "$CLIEXE" --version 2>/dev/null | tr -d '\r')
[ "$out" = "tunduk-onboard-cli $VERSION" ] && pass "wine: CLI --version" || fail "wine: CLI --version: $out"

# A report under a folder with a space and Cyrillic letters.
mkdir -p "$WINEPREFIX/drive_c/users/Айбек Төлөгөнов"
wine "$CLIEXE" check --format html --output 'C:\users\Айбек Төлөгөнов\Отчёт готовности.html' >/dev/null 2>&1 || true
[ -s "$WINEPREFIX/drive_c/users/Айбек Төлөгөнов/Отчёт готовности.html" ] &&
	pass "wine: CLI report written under C:\users\Айбек Төлөгөнов" || fail "wine: no report under a Cyrillic path"

# internal/secrets against the Credential Manager (wine's): its 2560-byte
# limit is the one the package enforces everywhere.
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -c -o "$WORK/secrets.test.exe" ./internal/secrets/
if wine "$WORK/secrets.test.exe" -test.run TestCredentialManager -test.v >"$WORK/secrets.log" 2>&1 &&
	grep -q -- '--- PASS: TestCredentialManager' "$WORK/secrets.log"; then
	pass "wine: internal/secrets on the Windows Credential Manager (2560-byte limit)"
else
	fail "wine: internal/secrets: $(tail -5 "$WORK/secrets.log")"
fi

# Wine's helper processes outlive a program and keep the display they
# started with (none, for the CLI): stop them so the GUI gets Xvfb's.
wineserver -k 2>/dev/null || true
wineserver -w 2>/dev/null || true

# The wizard reads its saved language from %AppData%\fyne (preset: ky).
appdata=$(echo "$WINEPREFIX"/drive_c/users/*/AppData/Roaming)
mkdir -p "$appdata/fyne/kg.tunduk.onboard"
printf '{"ui_language":"ky"}\n' >"$appdata/fyne/kg.tunduk.onboard/preferences.json"
start_xvfb
DISPLAY=$XDISPLAY TUNDUK_ONBOARD_SIZE=1024x700 wine "$EXE" >"$WORK/wine-gui.log" 2>&1 &
PIDS+=($!)
if wait_drawn "$XDISPLAY" "$WORK/wine-gui.png" 120; then
	pass "wine: the Windows GUI draws its first window ($(identify -format '%k colours' "$WORK/wine-gui.png"))"
else
	fail "wine: no window drawn; log: $(grep -m1 -A12 '^panic\|^fatal' "$WORK/wine-gui.log" || tail -5 "$WORK/wine-gui.log")"
fi
# Its log went to the Windows config dir (%AppData%\tunduk-onboard\logs).
if grep -q 'ui language.*language=ky' "$appdata"/tunduk-onboard/logs/tunduk-onboard-*.log 2>/dev/null; then
	pass "wine: log under %AppData%\\tunduk-onboard\\logs; saved language ky read from %AppData%\\fyne"
else
	fail "wine: no log under AppData, or the saved language was not read"
fi
WINEPREFIX=$WINEPREFIX wineserver -k 2>/dev/null || true
echo "wine done ($(elapsed))"

# --- 4. signing ------------------------------------------------------------
S=$WORK/sign
mkdir -p "$S"
openssl req -x509 -newkey rsa:2048 -sha256 -days 2 -nodes -subj "/CN=Tunduk Onboard test signer" \
	-addext "extendedKeyUsage=codeSigning" -keyout "$S/key.pem" -out "$S/cert.pem" 2>/dev/null
printf 'p12-test-pass\n' >"$S/pass"
openssl pkcs12 -export -inkey "$S/key.pem" -in "$S/cert.pem" -passout "file:$S/pass" -out "$S/signer.p12"
cp "$CLIEXE" "$S/a.exe"
cp "$EXE" "$S/b.exe"
SIGN_CERT=$S/cert.pem SIGN_KEY=$S/key.pem build/package-sign.sh "$S/a.exe" >/dev/null || fail "signing with PEM"
SIGN_PKCS12=$S/signer.p12 SIGN_PASS_FILE=$S/pass build/package-sign.sh "$S/b.exe" >/dev/null || fail "signing with PKCS#12"
for f in a b; do
	osslsigncode verify -CAfile "$S/cert.pem" -in "$S/$f.exe" >"$S/$f.verify" 2>&1 &&
		pass "signing ($f): osslsigncode verify passes" || fail "signing ($f): $(tail -3 "$S/$f.verify")"
done
# A byte changed after signing must break the signature.
printf 'X' | dd of="$S/a.exe" bs=1 seek=4096 conv=notrunc 2>/dev/null
osslsigncode verify -CAfile "$S/cert.pem" -in "$S/a.exe" >/dev/null 2>&1 &&
	fail "signing: a changed .exe still verifies" || pass "signing: a changed .exe fails verify"
# make package signs when SIGN_* is set (the CLI-only build, to be quick).
if SIGN_PKCS12=$S/signer.p12 SIGN_PASS_FILE=$S/pass ONLY=cli DIST=$S/dist build/package.sh >"$S/package.log" 2>&1 &&
	osslsigncode verify -CAfile "$S/cert.pem" -in "$S/dist/tunduk-onboard-cli_${VERSION}_windows_amd64.exe" >/dev/null 2>&1 &&
	(cd "$S/dist" && sha256sum --quiet -c SHA256SUMS); then
	pass "package.sh with SIGN_* set signs the .exe (and SHA256SUMS is of the signed file)"
else
	fail "package.sh with SIGN_*: $(tail -5 "$S/package.log")"
fi

# --- 5. the .deb in a clean Debian root ------------------------------------
if [ -n "${SKIP_DEB:-}" ]; then
	echo "skip .deb install test: SKIP_DEB is set"
elif [ -z "$DEBROOT_PID" ]; then
	echo "skip .deb install test: needs root (mmdebstrap, chroot)"
else
	R=$WORK/debian
	rc=0
	wait "$DEBROOT_PID" || rc=$?
	DEBROOT_PID=""
	[ "$rc" -eq 0 ] || { tail -20 "$WORK/mmdebstrap.log"; exit 1; }
	echo "clean bookworm root ready ($(elapsed))"
	mkdir -p -m 1777 /tmp/.X11-unix  # as an X server would make it
	for m in proc dev tmp/.X11-unix; do
		mkdir -p "$R/$m"
		case $m in proc) mount -t proc proc "$R/proc" ;; *) mount --bind "/$m" "$R/$m" ;; esac
		MOUNTS+=("$R/$m")
	done
	DEBROOT_READY=1
	cp "$DEB" "$R/tmp/"
	cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
	# mmdebstrap leaves no package lists behind: update first, as a user would.
	if chroot "$R" apt-get update -qq >"$WORK/apt.log" 2>&1 &&
		chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "/tmp/$(basename "$DEB")" >>"$WORK/apt.log" 2>&1; then
		pass "apt-get install ./$(basename "$DEB") in a clean bookworm"
	else
		fail "apt-get install: $(tail -10 "$WORK/apt.log")"
	fi
	echo "installed ($(elapsed))"
	out=$(chroot "$R" tunduk-onboard-cli --version 2>&1 || true)
	[ "$out" = "tunduk-onboard-cli $VERSION" ] && pass "installed CLI --version" || fail "installed CLI: $out"
	start_xvfb
	H="/home/Айгүл Сейитова"
	mkdir -p "$R$H/.config/fyne/kg.tunduk.onboard"
	printf '{"ui_language":"ru"}\n' >"$R$H/.config/fyne/kg.tunduk.onboard/preferences.json"
	chroot "$R" env HOME="$H" DISPLAY="$XDISPLAY" LANG=C.UTF-8 LIBGL_ALWAYS_SOFTWARE=1 TUNDUK_ONBOARD_SIZE=1024x700 \
		tunduk-onboard >"$WORK/deb-gui.log" 2>&1 &
	debgui=$!
	PIDS+=("$debgui")
	if wait_drawn "$XDISPLAY" "$WORK/deb-gui.png" 60; then
		pass "installed wizard draws under Xvfb ($(identify -format '%k colours' "$WORK/deb-gui.png"))"
	else
		fail "installed wizard drew nothing: $(tail -5 "$WORK/deb-gui.log")"
	fi
	grep -q 'ui language.*language=ru' "$R$H"/.config/tunduk-onboard/logs/tunduk-onboard-*.log 2>/dev/null &&
		pass "log under \"$H/.config\", saved language ru read from there" || fail "no log, or language not read, under $H"
	chroot "$R" env HOME="$H" tunduk-onboard-cli check --format html --output "$H/Отчёт готовности.html" >/dev/null 2>&1 || true
	[ -s "$R$H/Отчёт готовности.html" ] && pass "installed CLI writes a report under $H" || fail "no report under $H"
	# Done with the wizard: step 6 gets the cores.
	kill "$debgui" 2>/dev/null || true
	wait "$debgui" 2>/dev/null || true
fi

# --- 6. the Go bootstrap in the same root -----------------------------------
# The .deb brings no Go, so the root of step 5 is still one without Go
# (boot_checks makes sure first): cheaper than a second clean root.
if [ -z "$DEBROOT_READY" ]; then
	echo "skip Go bootstrap test: no clean root (step 5 skipped)"
elif [ -n "${SKIP_BOOTSTRAP:-}" ]; then
	echo "skip Go bootstrap test: SKIP_BOOTSTRAP is set"
else
	s6=$(date +%s)
	mkdir -p "$WORK/bootstrap"
	boot_prepare "$R"
	boot_checks "$R" "$WORK/bootstrap" --no-rerun
	echo "Go bootstrap checked in $(($(date +%s) - s6))s: cold ${BOOT_COLD}s, warm ${BOOT_WARM}s ($(elapsed))"
fi

echo "test-package: $fails failed ($(elapsed))"
[ "$fails" -eq 0 ]
