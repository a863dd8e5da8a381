#!/bin/sh
# Screenshots of the wizard for the README, from the real app under Xvfb:
# docs/screenshot-STEP.png (and -ru/-ky with LANGS="en ru ky").
# STEP is a step id (welcome organisation server readiness install token
# certificates submit summary) or "all". Readiness shows a real local check;
# token lists one initialised SoftHSM2 token (a throwaway SOFTHSM2_CONF);
# the steps after Organisation show a filled-in organisation; submit and
# summary show two real CSRs and one application sent by e-mail (made by
# build/screenshot-data.go).
#
#   build/screenshot.sh                       # readiness, English
#   LANGS="en ru ky" build/screenshot.sh
#   STEP=token build/screenshot.sh
#   STEP=all build/screenshot.sh              # every step (make screenshots)
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
ALL_STEPS="welcome organisation server readiness install configure token certificates submit register summary"
[ "$STEP" = all ] && STEP=$ALL_STEPS
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

ORG=',"org_member_class":"GOV","org_member_code":"70000001","org_name":"Министерство цифрового развития","org_server_code":"SS1"'
SOFTHSM_READY=0
SUBMIT_READY=0

# shot STEP: one screenshot per language of STEP.
shot() {
	S=$1
	AUTOCHECK=0
	PREFS_EXTRA=$ORG
	W=${SHORT_WAIT:-5}
	unset TUNDUK_ONBOARD_PKCS11_MODULE TUNDUK_ONBOARD_SUBMISSIONS_DIR TUNDUK_ONBOARD_CSR_DIR || true
	case $S in
	welcome | organisation) [ "$S" = welcome ] && PREFS_EXTRA="" ;;
	readiness) AUTOCHECK=1 W=$WAIT ;;
	token | certificates)
		# One initialised token in a private SoftHSM2 store; the app is told
		# the library through TUNDUK_ONBOARD_PKCS11_MODULE.
		if [ "$SOFTHSM_READY" = 0 ]; then
			mkdir -p "$WORK/softhsm/tokens"
			printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
				"$WORK/softhsm/tokens" >"$WORK/softhsm/softhsm2.conf"
			SOFTHSM2_CONF="$WORK/softhsm/softhsm2.conf"
			export SOFTHSM2_CONF
			softhsm2-util --init-token --free --label "SS1-sign" --so-pin 'so-pin-4711' --pin 'user-pin-0815' >/dev/null
			SOFTHSM_READY=1
		fi
		TUNDUK_ONBOARD_PKCS11_MODULE="$SOFTHSM_LIB"
		export TUNDUK_ONBOARD_PKCS11_MODULE
		W=${TOKEN_WAIT:-6}
		;;
	submit | summary)
		# Two CSRs and a store with one sent application, prepared once;
		# the app is pointed at them through TUNDUK_ONBOARD_CSR_DIR and
		# TUNDUK_ONBOARD_SUBMISSIONS_DIR (used by this script only).
		if [ "$SUBMIT_READY" = 0 ]; then
			go run build/screenshot-data.go "$WORK/submit"
			SUBMIT_READY=1
		fi
		TUNDUK_ONBOARD_CSR_DIR="$WORK/submit/csr"
		TUNDUK_ONBOARD_SUBMISSIONS_DIR="$WORK/submit/submissions"
		export TUNDUK_ONBOARD_CSR_DIR TUNDUK_ONBOARD_SUBMISSIONS_DIR
		PREFS_EXTRA="$ORG"',"server_public_ip":"203.0.113.10","submit_via":"email","submit_smtp_from":"it@digital.gov.kg"'
		;;
	esac
	for L in $LANGS; do
		# A fresh HOME: no saved state, this computer as the server; the
		# language is preset through the preferences file.
		H="$WORK/home-$S-$L"
		mkdir -p "$H/.config/fyne/kg.tunduk.onboard"
		printf '{"ui_language":"%s"%s}\n' "$L" "$PREFS_EXTRA" >"$H/.config/fyne/kg.tunduk.onboard/preferences.json"
		HOME="$H" XDG_CONFIG_HOME="$H/.config" DISPLAY=":$DISPLAY_NUM" LANG=en_US.UTF-8 \
			LIBGL_ALWAYS_SOFTWARE=1 FYNE_SCALE=1 TUNDUK_ONBOARD_SIZE=1280x800 \
			TUNDUK_ONBOARD_START_STEP="$S" TUNDUK_ONBOARD_AUTOCHECK="$AUTOCHECK" \
			"$BIN" >"$WORK/app-$S-$L.log" 2>&1 &
		APID=$!
		sleep "$W"
		OUT=docs/screenshot-$S.png
		[ "$L" = en ] || OUT=docs/screenshot-$S-$L.png
		DISPLAY=":$DISPLAY_NUM" import -window root "$OUT"
		# An empty screen is one colour: the app did not draw.
		if [ "$(identify -format '%k' "$OUT")" -lt 64 ]; then
			echo "screenshot.sh: $OUT is blank; app log:" >&2
			tail -5 "$WORK/app-$S-$L.log" >&2
			exit 1
		fi
		echo "wrote $OUT"
		kill "$APID" 2>/dev/null || true
		wait "$APID" 2>/dev/null || true
		APID=""
	done
}

for S in $STEP; do
	shot "$S"
done
