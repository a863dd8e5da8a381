#!/bin/sh
# Screenshot of the wizard's Readiness step after a real local check, taken
# under Xvfb: docs/screenshot-readiness.png (and -ru/-ky with LANGS="en ru ky").
# STEP=token shows the Token step listing one initialised SoftHSM2 token
# (a throwaway SOFTHSM2_CONF): docs/screenshot-token.png.
#
#   build/screenshot.sh            # English
#   LANGS="en ru ky" build/screenshot.sh
#   STEP=token build/screenshot.sh
#
# Needs: xvfb imagemagick (import), dbus-daemon, a Fyne build
# environment when bin/tunduk-onboard is missing.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${BIN:-$ROOT/bin/tunduk-onboard}
DISPLAY_NUM=${DISPLAY_NUM:-99}
WAIT=${WAIT:-12}
LANGS=${LANGS:-en}
STEP=${STEP:-readiness}
SOFTHSM_LIB=${SOFTHSM_LIB:-/usr/lib/softhsm/libsofthsm2.so}

if [ ! -x "$BIN" ]; then
	echo "building $BIN"
	go build -tags migrated_fynedo -o "$BIN" .
fi
mkdir -p docs

WORK=$(mktemp -d)
XPID=""
APID=""
DBUS_PID=""
cleanup() {
	if [ -n "$APID" ]; then kill "$APID" 2>/dev/null || true; wait "$APID" 2>/dev/null || true; fi
	[ -n "$DBUS_PID" ] && kill "$DBUS_PID" 2>/dev/null || true
	if [ -n "$XPID" ]; then kill "$XPID" 2>/dev/null || true; wait "$XPID" 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

Xvfb ":$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XPID=$!
for _ in $(seq 50); do
	[ -e "/tmp/.X11-unix/X$DISPLAY_NUM" ] && break
	sleep 0.1
done

# One private session bus for the app (Fyne and the keyring look for one),
# stopped by its PID at the end.
dbus-daemon --session --fork --nopidfile --print-address=3 --print-pid=4 3>"$WORK/bus.addr" 4>"$WORK/bus.pid"
DBUS_PID=$(cat "$WORK/bus.pid")
DBUS_SESSION_BUS_ADDRESS=$(cat "$WORK/bus.addr")
export DBUS_SESSION_BUS_ADDRESS

AUTOCHECK=1
PREFS_EXTRA=""
if [ "$STEP" = token ]; then
	# One initialised token in a private SoftHSM2 store; the app is told the
	# library through TUNDUK_ONBOARD_PKCS11_MODULE.
	mkdir -p "$WORK/softhsm/tokens"
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
		"$WORK/softhsm/tokens" >"$WORK/softhsm/softhsm2.conf"
	SOFTHSM2_CONF="$WORK/softhsm/softhsm2.conf"
	TUNDUK_ONBOARD_PKCS11_MODULE="$SOFTHSM_LIB"
	export SOFTHSM2_CONF TUNDUK_ONBOARD_PKCS11_MODULE
	softhsm2-util --init-token --free --label "SS1-sign" --so-pin 'so-pin-4711' --pin 'user-pin-0815' >/dev/null
	AUTOCHECK=0
	# The organisation, so the key label and the steps after it are filled.
	PREFS_EXTRA=',"org_member_class":"GOV","org_member_code":"70000001","org_name":"Министерство цифрового развития","org_server_code":"SS1"'
	WAIT=${TOKEN_WAIT:-6}
fi

for L in $LANGS; do
	# A fresh HOME: no saved state, this computer as the server; the
	# language is preset through the preferences file.
	H="$WORK/home-$L"
	mkdir -p "$H/.config/fyne/kg.tunduk.onboard"
	printf '{"ui_language":"%s"%s}\n' "$L" "$PREFS_EXTRA" >"$H/.config/fyne/kg.tunduk.onboard/preferences.json"
	HOME="$H" XDG_CONFIG_HOME="$H/.config" DISPLAY=":$DISPLAY_NUM" LANG=en_US.UTF-8 \
		LIBGL_ALWAYS_SOFTWARE=1 FYNE_SCALE=1 TUNDUK_ONBOARD_SIZE=1280x800 \
		TUNDUK_ONBOARD_START_STEP="$STEP" TUNDUK_ONBOARD_AUTOCHECK="$AUTOCHECK" \
		"$BIN" >"$WORK/app-$L.log" 2>&1 &
	APID=$!
	sleep "$WAIT"
	OUT=docs/screenshot-$STEP.png
	[ "$L" = en ] || OUT=docs/screenshot-$STEP-$L.png
	DISPLAY=":$DISPLAY_NUM" import -window root "$OUT"
	echo "wrote $OUT"
	kill "$APID" 2>/dev/null || true
	wait "$APID" 2>/dev/null || true
	APID=""
done
